"""Declarative base shared by every service's models."""

import json

from oslo_db.sqlalchemy import models
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy import types


class StxBase(models.TimestampMixin, models.ModelBase):
    """Adds created_at / updated_at and dict-like access to a model."""

    def as_dict(self):
        return {column.name: getattr(self, column.name)
                for column in self.__table__.columns}


def declarative_base():
    """A new declarative base, so each service keeps its own metadata."""
    return orm.declarative_base(cls=StxBase)


class JSONEncodedDict(types.TypeDecorator):
    """A dict stored as JSON text (portable across SQLite and PostgreSQL)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, sort_keys=True)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # Most stored dicts are empty; skip the decoder for them.
        return {} if value == '{}' else json.loads(value)
