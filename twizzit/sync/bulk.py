"""Inserting a page of new rows: one `COPY` on PostgreSQL, `bulk_create` elsewhere.

A first sync inserts tens of thousands of rows: a player and a mapping per contact, a
game and a mapping per fixture. Django's `bulk_create` sends each page as one
`INSERT … SELECT * FROM UNNEST(…)`, but with Django's client-side parameter binding every
value is first quoted into the SQL text by Python code, element by element: half the
cost of a page of a first sync, for work the database's bulk-load path does better.

On PostgreSQL `insert` therefore reserves the page's primary keys from the table's own
sequence (one statement) and streams the rows with `COPY … FROM STDIN` (one more), which
psycopg encodes in C. What callers rely on holds as with `bulk_create`:

- every instance gets its primary key, so mappings can point at the rows just made;
- `auto_now` / `auto_now_add` timestamps and field defaults are set, on the row and on the
  instance; a foreign key given as an object saved earlier is written as its id;
- JSON fields are encoded as `JSONField` encodes them;
- a value the database refuses (too long, not a date) raises a `DatabaseError`, and the
  page's transaction rolls back whole;
- the statements pass through Django's execute wrappers, so `querycount` counts the
  queries and the rows written (the driver's rowcount after `COPY` is its rows).

A row that may already exist (`ON CONFLICT DO NOTHING`) still goes through
`bulk_create`: `COPY` has no conflict clause.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model
from django.utils import timezone


def insert(model: type[Model], instances: list[Model]) -> None:
    """Insert new `instances` of `model`; each gets its primary key."""
    if not instances:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances)
        return
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated]
    now = timezone.now()
    for instance in instances:  # as bulk_create does: a related object saved since → its id
        instance._prepare_related_fields_for_save(operation_name="insert")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(opts.db_table), opts.pk.column, len(instances)],
        )
        for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
            instance.pk = pk
        rows = [_row(instance, fields, now) for instance in instances]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
        # Through Django's wrappers, so query counting and instrumentation see the COPY.
        cursor._execute_with_wrappers(sql, rows, many=False, executor=_copy)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def _row(instance: Model, fields, now) -> list:
    values = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(instance, field.attname, now)
        value = getattr(instance, field.attname)
        if value is not None and field.get_internal_type() == "JSONField":
            value = field.get_db_prep_save(value, connection)  # its encoder, as a Jsonb
        values.append(value)
    return values


def _copy(sql: str, rows: list, many: bool, context) -> None:
    # psycopg's errors raised as Django's, as from any other statement
    with context["connection"].wrap_database_errors, context["cursor"].cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
