"""sysinv's database: its option group is oslo.db's own [database]."""

from stx.conf import database as db_conf
from stx.db import engine
from stx.sysinv.db import models

DB = engine.ServiceDatabase('sysinv', db_conf.SYSINV_GROUP,
                            'stx.sysinv.db.migrations', models.Base.metadata)
