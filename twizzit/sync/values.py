"""Moving field values between model instances and the JSON-safe dicts the merge compares.

Mappers produce JSON-safe values (dates as "YYYY-MM-DD"); the merge base is stored as
JSON; so local rows are compared in the same form. Foreign keys are compared by their
local ids (`season_id`, `club_id`).
"""

from __future__ import annotations

import datetime


def json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def snapshot(instance, names) -> dict:
    """The instance's current values of `names`, JSON-safe."""
    return {name: json_value(getattr(instance, name)) for name in names}


def assign(instance, values: dict) -> None:
    """Set JSON-safe `values` on a model instance, converted to the fields' Python types."""
    opts = instance._meta
    for name, value in values.items():
        field = opts.get_field(name[:-3] if name.endswith("_id") else name)
        setattr(instance, name, value if name.endswith("_id") else field.to_python(value))


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changes."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
