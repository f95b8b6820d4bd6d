"""Base class and serializer of stx-flock's versioned objects."""

from oslo_versionedobjects import base as ovo_base


class StxObjectRegistry(ovo_base.VersionedObjectRegistry):
    pass


class StxObject(ovo_base.VersionedObject, ovo_base.VersionedObjectDictCompat):
    """Base of every object that crosses RPC.

    Objects are plain values here: the services that own a resource read and
    write its database themselves and build objects with ``from_db``.
    """

    OBJ_SERIAL_NAMESPACE = 'stx_object'
    OBJ_PROJECT_NAMESPACE = 'stx'

    @classmethod
    def from_db(cls, db_row, context=None):
        """Build an object from a DB row (model or mapping) of its fields."""
        obj = cls(context)
        for name in cls.fields:
            obj[name] = db_row[name]
        obj.obj_reset_changes()
        return obj

    def as_dict(self):
        """The set fields as a plain dict."""
        return {name: getattr(self, name) for name in self.fields
                if self.obj_attr_is_set(name)}


class StxObjectSerializer(ovo_base.VersionedObjectSerializer):
    OBJ_BASE_CLASS = StxObject
