"""Counting what a piece of work costs the database: queries, and rows written.

Writes are split into *data* (ShotSpot's rows, the mappings and the conflicts: what a
no-change sync must leave alone) and *bookkeeping* (the sync log, API usage, the
connection's claim: what every run writes by design). Used by the benchmark and by
tests that assert "an unchanged record costs no write".
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+"?(\w+)"?', re.IGNORECASE)
DATA_TABLES = re.compile(
    r"^(shotspot_\w+|twizzit_(player|team|season|club|event)mapping|twizzit_syncconflict)$"
)


@dataclass
class QueryCount:
    queries: int = 0
    data_rows_written: int = 0
    bookkeeping_rows_written: int = 0
    tables_written: dict = field(default_factory=dict)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.queries += 1
        match = WRITE.match(sql)
        if match:
            table = match.group(2).lower()
            rows = _rows_written(sql, params, many, context)
            self.tables_written[table] = self.tables_written.get(table, 0) + rows
            if DATA_TABLES.match(table):
                self.data_rows_written += rows
            else:
                self.bookkeeping_rows_written += rows
        return result


@contextmanager
def count_queries():
    """Count the queries and written rows of the default connection inside the block."""
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        yield counter


def _rows_written(sql: str, params, many: bool, context) -> int:
    """The rows one statement wrote, as the database itself reports them.

    The driver's rowcount is the honest figure: on PostgreSQL a bulk insert is one
    `INSERT … SELECT * FROM UNNEST(…)` whose parameters are one array per column, so
    counting parameters would see one row where there are a hundred, and a `COPY`
    (`sync/bulk.py`) has no parameters at all. SQLite is the
    exception: it knows the rows of an `INSERT … RETURNING` only once they are fetched,
    and its bulk inserts list every value, so there the parameters tell.
    """
    cursor = context["cursor"]
    if (
        context["connection"].vendor == "sqlite"
        and not many
        and sql.lstrip()[:1] in "iI"
        and "RETURNING" in sql.upper()
    ):
        return _inserted_rows(sql, params)
    return max(cursor.rowcount, 0)


def _inserted_rows(sql: str, params) -> int:
    """Rows of a multi-row INSERT: its parameters divided by its column count."""
    columns = sql.split("(", 1)[1].split(")", 1)[0].count(",") + 1
    return len(params or ()) // columns
