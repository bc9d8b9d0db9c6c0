"""What the federation view costs with many clubs: `twizzit_bench --federation [--connections N]`.

In a throw-away test database: N connections (100 by default), each with 30 finished runs
over the last 30 days (one in ten failed), 200 player and 20 team mappings, a few
conflicts and this month's API usage; then the federation view is opened as a federation
admin through Django's test client (the whole request: middleware, query, template), a
few times, and the median and slowest times and the queries per request are reported.
The target: under 300 ms with 100 connections.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from django.utils import timezone

from twizzit.models import (
    ApiUsage,
    ConflictType,
    EntityType,
    PlayerMapping,
    SyncConflict,
    SyncLog,
    SyncStatus,
    TeamMapping,
)
from twizzit.models.usage import this_month
from twizzit.services.connections import create_connection

TARGET_MS = 300


def plant(connections: int) -> None:
    now = timezone.now()
    for n in range(connections):
        config = create_connection(
            password="bench-password",  # noqa: S106 (a throw-away database's connection)
            organization_id=5000 + n,
            organization_name=f"Bench Club {n:03d}",
            api_base_url="https://app.twizzit.com",
            api_username=f"bench-{n}",
        )
        SyncLog.objects.bulk_create(
            SyncLog(
                config=config,
                status=SyncStatus.FAILED if run % 10 == 0 else SyncStatus.SUCCESS,
                created_at=now - timedelta(days=run),
            )
            for run in range(30)
        )
        PlayerMapping.objects.bulk_create(
            PlayerMapping(config=config, twizzit_contact_id=i) for i in range(200)
        )
        TeamMapping.objects.bulk_create(
            TeamMapping(config=config, twizzit_group_id=i) for i in range(20)
        )
        SyncConflict.objects.bulk_create(
            SyncConflict(
                config=config,
                entity_type=EntityType.PLAYER,
                twizzit_id=i,
                conflict_type=ConflictType.DATA_MISMATCH,
            )
            for i in range(n % 4)
        )
        ApiUsage.objects.create(config=config, month=this_month(), calls=n * 10)


def run_benchmark(connections: int = 100, repeats: int = 15) -> dict:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        setup_test_environment()
        plant(connections)
        admin = get_user_model().objects.create_superuser("bench-federation", "", "x")
        client = Client()
        client.force_login(admin)
        url = reverse("admin:twizzit_twizzitconfig_federation")
        client.get(url)  # warm: templates compiled, caches filled
        times = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        rows = response.content.count(b'name="selected"')
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return {
        "connections": connections,
        "rows_shown": rows,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": len(queries),
        "target_ms": TARGET_MS,
        "within_target": statistics.median(times) < TARGET_MS,
    }
