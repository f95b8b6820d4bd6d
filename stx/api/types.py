"""WSME types shared by the REST APIs."""

import json

import wsme.types as wtypes


class JsonType(wtypes.UserType):
    """Any JSON value (a StarlingX field that may be text or an object)."""

    basetype = wtypes.text
    name = 'json'

    def validate(self, value):
        json.dumps(value)
        return value

    def frombasetype(self, value):
        return self.validate(value)


jsontype = JsonType()


class JsonPatchOp(wtypes.Base):
    """One RFC 6902 operation, as StarlingX clients send them."""

    op = wtypes.wsattr(wtypes.Enum(str, 'add', 'replace', 'remove'),
                       mandatory=True)
    path = wtypes.wsattr(wtypes.text, mandatory=True)
    value = jsontype
