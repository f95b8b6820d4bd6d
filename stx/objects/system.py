"""The System object: the one cloud (or subcloud) a sysinv manages."""

from oslo_versionedobjects import fields

from stx.objects import base
from stx.objects import fields as stx_fields


@base.StxObjectRegistry.register
class System(base.StxObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = {
        'id': fields.IntegerField(),
        'uuid': fields.UUIDField(),
        'name': fields.StringField(nullable=True),
        'system_type': fields.StringField(nullable=True),
        'system_mode': fields.StringField(nullable=True),
        'description': fields.StringField(nullable=True),
        'contact': fields.StringField(nullable=True),
        'location': fields.StringField(nullable=True),
        'latitude': fields.StringField(nullable=True),
        'longitude': fields.StringField(nullable=True),
        'software_version': fields.StringField(nullable=True),
        'timezone': fields.StringField(nullable=True),
        'region_name': fields.StringField(nullable=True),
        'distributed_cloud_role': fields.StringField(nullable=True),
        'service_project_name': fields.StringField(nullable=True),
        'security_feature': fields.StringField(nullable=True),
        'capabilities': stx_fields.FlexibleDictField(nullable=True),
        'created_at': fields.DateTimeField(nullable=True),
        'updated_at': fields.DateTimeField(nullable=True),
    }
