"""fm's database: alarms, the event log and event suppression."""

from stx.conf import fm as fm_conf
from stx.db import engine
from stx.fm.db import models

DB = engine.ServiceDatabase('fm', fm_conf.FM_DATABASE_GROUP,
                            'stx.fm.db.migrations', models.Base.metadata)
