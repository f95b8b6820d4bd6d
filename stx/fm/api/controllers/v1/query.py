"""Query parameters of the fm API: StarlingX's q lists, flags and paging.

StarlingX's fm client filters with parallel lists sent as repeated query
parameters, e.g. ``?q.field=severity&q.op=eq&q.type=&q.value=major``; the
n-th entry of each list makes the n-th filter. Everything here turns raw
parameters into checked values or raises InvalidParameterValue naming the
parameter at fault.
"""

import datetime
import functools
import urllib.parse

from oslo_utils import strutils
from oslo_utils import timeutils
import pecan

from stx.api import expose
from stx.common import exception

FIELD = 'q.field'
OP = 'q.op'
VALUE = 'q.value'
TYPE = 'q.type'
Q_PARAMS = (FIELD, OP, VALUE, TYPE)
# The comparison operators of StarlingX's Query type.
OPS = ('eq', 'ne', 'lt', 'le', 'gt', 'ge')
# q.type only says how to read a value; every filterable fm field is text,
# so the type is checked but the value stays a string.
TYPES = ('', 'string', 'integer', 'float', 'boolean', 'datetime')
SORT_DIRS = ('asc', 'desc')


def expose_with_query(status_code=200):
    """expose.expose for handlers that read the q lists.

    Names like ``q.field`` cannot be Python parameters, so they are taken
    out of the keyword arguments before expose sees them (it refuses query
    parameters a handler does not declare); handlers read them with
    ``filters()``.
    """

    def decorate(method):
        exposed = expose.expose(status_code)(method)

        @functools.wraps(exposed)
        def handler(self, *args, **kwargs):
            for name in Q_PARAMS:
                kwargs.pop(name, None)
            return exposed(self, *args, **kwargs)

        return handler

    return decorate


def filters(fields, ops=('eq', 'ne'), params=None):
    """[(field, op, value)] from the q lists of the request.

    :param fields: the fields this collection can be filtered on.
    :param ops: the operators it supports.
    :param params: a webob MultiDict; the request's query by default.
    :raises: InvalidParameterValue naming q.field, q.op, q.value or q.type.
    """
    if params is None:
        params = pecan.request.GET
    names = params.getall(FIELD)
    count = len(names)
    values = params.getall(VALUE)
    op_list = params.getall(OP) or ['eq'] * count
    type_list = params.getall(TYPE) or [''] * count
    for name, given in ((VALUE, values), (OP, op_list), (TYPE, type_list)):
        if len(given) != count:
            raise exception.InvalidParameterValue(
                field=name, reason='%d %s given for %d %s; the q lists '
                'must have the same length'
                % (len(given), name, count, FIELD))
    result = []
    for name, op, kind, value in zip(names, op_list, type_list, values):
        if name not in fields:
            raise exception.InvalidParameterValue(
                field=FIELD, reason="'%s' is not one of %s"
                % (name, ', '.join(fields)))
        if op not in ops:
            raise exception.InvalidParameterValue(
                field=OP, reason="'%s' is not one of %s"
                % (op, ', '.join(ops)))
        if kind not in TYPES:
            raise exception.InvalidParameterValue(
                field=TYPE, reason="'%s' is not one of %s"
                % (kind, ', '.join(t for t in TYPES if t)))
        result.append((name, op, value))
    return result


def boolean(name, value, default=False):
    """A flag sent as 'True'/'False' (StarlingX clients) or true/1/yes."""
    if value is None:
        return default
    if isinstance(value, str):
        try:
            return strutils.bool_from_string(value, strict=True)
        except ValueError:
            pass
    raise exception.InvalidParameterValue(
        field=name, reason="'%s' is not True or False" % (value,))


def integer(name, value, minimum=1):
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
        if number >= minimum:
            return number
    raise exception.InvalidParameterValue(
        field=name, reason="'%s' is not a whole number >= %d"
        % (value, minimum))


def choice(name, value, choices):
    if value not in choices:
        raise exception.InvalidParameterValue(
            field=name, reason="'%s' is not one of %s"
            % (value, ', '.join(choices)))
    return value


def text(name, value):
    """A single text parameter (a repeated one arrives as a list)."""
    if value is not None and not isinstance(value, str):
        raise exception.InvalidParameterValue(
            field=name, reason='give it once')
    return value


def timestamp(name, value):
    """An ISO 8601 time as a naive UTC datetime (how the DB stores it)."""
    if value is None:
        return None
    try:
        parsed = timeutils.parse_isotime(text(name, value))
    except ValueError:
        raise exception.InvalidParameterValue(
            field=name, reason="'%s' is not an ISO 8601 time" % value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(
            tzinfo=None)
    return parsed


def bad_marker(marker):
    """The error for a marker that names nothing in the collection."""
    return exception.InvalidParameterValue(
        field='marker', reason="'%s' names nothing in this list" % marker)


def next_link(base, path, limit, marker, params=None):
    """The URL of the page after ``marker``, keeping filters and flags."""
    query = [('limit', limit), ('marker', marker)]
    query.extend((name, value) for name, value in (params or {}).items()
                 if value is not None)
    request_query = pecan.request.GET
    for name in Q_PARAMS:
        query.extend((name, value) for value in request_query.getall(name))
    return '%s/v1/%s?%s' % (base, path, urllib.parse.urlencode(query))
