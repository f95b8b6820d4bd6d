"""Host labels: the rules a label's key and value follow.

A host label becomes a label of the host's Kubernetes node, so its key and
value follow Kubernetes' label syntax: a name of 1 to 63 characters
(letters, digits, ``-``, ``_``, ``.``, beginning and ending with a letter or
digit), optionally after a DNS subdomain prefix and ``/``
(``kubernetes.io/hostname``); a value of up to 63 such characters, which may
be empty. Errors name the key at fault.
"""

import re

from stx.common import exception

NAME_MAX = 63
PREFIX_MAX = 253
_NAME = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$')
_DNS_LABEL = re.compile(r'^[a-z0-9]([a-z0-9-]*[a-z0-9])?$')


def _name_problem(text, what):
    if len(text) > NAME_MAX:
        return '%s is longer than %d characters' % (what, NAME_MAX)
    if not _NAME.match(text):
        return ('%s must be letters, digits, "-", "_" or ".", beginning '
                'and ending with a letter or digit' % what)
    return None


def key_problem(key):
    """Why ``key`` is not a label key, or None."""
    if not isinstance(key, str) or not key:
        return 'a label key is 1 to %d characters' % NAME_MAX
    prefix, slash, name = key.rpartition('/')
    if slash:
        if (not prefix or len(prefix) > PREFIX_MAX or
                not all(_DNS_LABEL.match(part) and len(part) <= NAME_MAX
                        for part in prefix.split('.'))):
            return ('the prefix %r is not a DNS subdomain (lower-case '
                    'letters, digits, "-" and ".")' % prefix)
    return _name_problem(name, 'the name')


def value_problem(value):
    """Why ``value`` is not a label value, or None (empty is one)."""
    if not isinstance(value, str):
        return 'a label value is text'
    if value == '':
        return None
    return _name_problem(value, 'the value')


def check_labels(labels):
    """The labels of a ``host-label-assign`` request, checked.

    :param labels: ``{key: value}``, StarlingX's request body.
    :returns: the same labels, as a dict in the order given.
    :raises: InvalidParameterValue naming the key (or ``body``).
    """
    if not isinstance(labels, dict) or not labels:
        raise exception.InvalidParameterValue(
            field='body', reason='give labels as {"key": "value", ...}')
    for key, value in labels.items():
        problem = key_problem(key)
        if problem is None:
            problem = value_problem(value)
        if problem is not None:
            raise exception.InvalidParameterValue(
                field=key, reason='label %r=%r: %s' % (key, value, problem))
    return dict(labels)
