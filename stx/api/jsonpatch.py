"""JSON-patch bodies turned into field changes.

StarlingX updates resources with flat JSON-patch lists:
``[{"op": "replace", "path": "/location", "value": "rack 3"}]``. Paths name
top-level fields only; ``remove`` clears a field.
"""

from stx.api import expose
from stx.api import types
from stx.common import exception


def to_changes(patch, known_fields, writable_fields):
    """{field: value} from a JSON-patch list; None for ``remove``.

    :raises: Invalid for a malformed patch, UnknownField, ReadOnlyField.
    """
    if not isinstance(patch, list) or not patch:
        raise exception.Invalid(reason='the body must be a non-empty '
                                'JSON-patch list', field='body')
    changes = {}
    for operation in patch:
        operation = expose.parse_body(types.JsonPatchOp, operation)
        if 'op' not in operation or 'path' not in operation:
            raise exception.Invalid(reason='each operation needs op and '
                                    'path', field='body')
        field = operation['path'].strip('/')
        if not field or '/' in field:
            raise exception.InvalidParameterValue(
                field='path', reason="'%s' is not a top-level field"
                % operation['path'])
        if field not in writable_fields:
            if field in known_fields:
                raise exception.ReadOnlyField(field=field)
            raise exception.UnknownField(field=field)
        if operation['op'] == 'remove':
            changes[field] = None
        elif 'value' not in operation:
            raise exception.MissingParameterValue(
                field=field, reason="'%s' needs a value" % operation['op'])
        else:
            changes[field] = operation['value']
    return changes
