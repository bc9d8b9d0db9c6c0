"""Planner statistics that keep up with the tables a sync fills.

PostgreSQL plans every query from the statistics `ANALYZE` gathers. A first sync fills
empty tables: tens of thousands of players and mappings in a minute. Until they are
analyzed the planner guesses their contents, and a page's lookups (the mappings of a
page's contacts, the players a new contact may be) become scans of the whole table: each
page costs more the more pages came before it, and a federation's first sync costs more
per member than a club's. Autovacuum analyzes eventually (once 10% of a table changed,
checked once a minute), or never where it is switched off.

PostgreSQL's advice for bulk loads is to `ANALYZE` afterwards; a sync does it as it
goes. Each table the importers insert into is analyzed when the rows inserted into it
since its last analysis reach the number counted at that analysis (1,000 at least), so a
table growing to n rows is analyzed about log2(n / 1,000) times, each a sample of at
most 30,000 rows. `ANALYZE` takes no lock that blocks reads or writes, and a database
user that may not analyze a table gets a warning, not an error.

Other databases: nothing (SQLite's planner keeps no statistics unless asked).
"""

from __future__ import annotations

from django.db import connection

FIRST_ANALYZE_AFTER = 1_000  # rows; below this a guess costs little


class TableStatistics:
    """Counts the rows one run inserts per table and analyzes a table as it grows."""

    def __init__(self) -> None:
        self._tables: dict[str, list[int]] = {}  # table → [inserted since, counted at last]

    def inserted(self, model, count: int) -> None:
        if not count or connection.vendor != "postgresql":
            return
        table = model._meta.db_table
        entry = self._tables.setdefault(table, [0, 0])
        entry[0] += count
        if entry[0] >= max(FIRST_ANALYZE_AFTER, entry[1]):
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            entry[1] += entry[0]
            entry[0] = 0
