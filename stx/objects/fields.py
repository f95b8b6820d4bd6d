"""Field types our objects need beyond oslo.versionedobjects' own."""

from oslo_versionedobjects import fields


class FlexibleDict(fields.FieldType):
    """A free-form dict of JSON values (capabilities, location)."""

    @staticmethod
    def coerce(obj, attr, value):
        if not isinstance(value, dict):
            raise ValueError('%s must be a dict, not %s'
                             % (attr, type(value).__name__))
        return dict(value)


class FlexibleDictField(fields.AutoTypedField):
    AUTO_TYPE = FlexibleDict()
