"""How systems and hosts look on the wire (StarlingX's shapes).

Plain functions over DB rows or objects (anything indexable by field name),
fast enough to format 10,000 hosts for one list response.
"""

import datetime

from stx.api import app as api_app
from stx.objects import host as host_object
from stx.objects import system as system_object

SYSTEM_FIELDS = tuple(system_object.System.fields)
# Every stored host field but internal ones; bm_password is never stored
# in a Host object, let alone sent.
HOST_FIELDS = tuple(name for name in host_object.Host.fields
                    if name != 'peer_id')
# What the API shows that is not a column: StarlingX clients read these.
HOST_EXTRA_FIELDS = ('isystem_uuid', 'peers', 'links', 'bm_password')


def timestamp(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.isoformat()
    return value


def system(row):
    data = {name: row[name] for name in SYSTEM_FIELDS}
    data['created_at'] = timestamp(data['created_at'])
    data['updated_at'] = timestamp(data['updated_at'])
    data['capabilities'] = data['capabilities'] or {}
    base = api_app.base_url()
    data['links'] = [
        api_app.version_link('%s/v1/isystems/%s' % (base, data['uuid'])),
        api_app.version_link('%s/isystems/%s' % (base, data['uuid']),
                             rel='bookmark')]
    return data


def host(row, system_uuid, base):
    """The API form of a host: a DB row dict (changed in place) or Host."""
    if isinstance(row, dict):
        data = row
        data.pop('peer_id', None)
        data.pop('bm_password', None)
    else:
        data = {name: row[name] for name in HOST_FIELDS}
    data['created_at'] = timestamp(data['created_at'])
    data['updated_at'] = timestamp(data['updated_at'])
    data['location'] = data['location'] or {}
    data['capabilities'] = data['capabilities'] or {}
    data['isystem_uuid'] = system_uuid
    data['peers'] = None
    data['links'] = [
        {'href': '%s/v1/ihosts/%s' % (base, data['uuid']), 'rel': 'self'},
        {'href': '%s/ihosts/%s' % (base, data['uuid']), 'rel': 'bookmark'}]
    return data
