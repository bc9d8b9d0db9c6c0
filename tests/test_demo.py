"""What a newcomer meets in the demo: a real club name, quiet commands, honest controls."""

import os
import subprocess
import sys

import pytest
import requests
from django.conf import settings

from shotspot.models import Club, Team
from twizzit.sync import run_sync

pytest_plugins = ["tests.sandbox"]


@pytest.mark.django_db(transaction=True)
def test_the_demo_club_is_named_after_the_organisation_not_club_and_a_number(sandbox_config):
    run_sync(sandbox_config, "teams")

    assert list(Club.objects.values_list("name", flat=True)) == ["KBKB Sandbox Club"]
    assert not Team.objects.filter(club__isnull=True).exists()


def test_reset_says_it_undoes_the_data_edits_of_earlier_steps(sandbox):
    contact = sandbox.state.contacts[0]["id"]
    requests.patch(f"{sandbox.url}/_sandbox/contacts/{contact}", json={"number": 12}, timeout=5)

    answer = requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).json()

    assert "every contact, group and roster edit" in answer["note"]
    assert sandbox.state.contact(contact)["number"] != 12


def test_heal_ends_an_outage_and_keeps_the_data_edits(sandbox):
    contact = sandbox.state.contacts[0]["id"]
    requests.patch(f"{sandbox.url}/_sandbox/contacts/{contact}", json={"number": 12}, timeout=5)
    requests.post(f"{sandbox.url}/_sandbox/latency", json={"ms": 500}, timeout=5)
    fault = {"endpoint": "contacts", "status": 503, "times": 5}
    requests.post(f"{sandbox.url}/_sandbox/fail", json=fault, timeout=5)

    assert requests.post(f"{sandbox.url}/_sandbox/heal", timeout=5).json() == {"ok": True}

    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json() == []
    assert sandbox.state.latency_ms == 0
    assert sandbox.state.contact(contact)["number"] == 12


@pytest.mark.slow
def test_sync_async_prints_one_sentence_and_no_worker_log_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SHOTSPOT_VAR_DIR=str(tmp_path))

    def manage(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    manage("migrate", "-v", "0")
    add = ("twizzit_config", "add", "--org", "1001", "--name", "Club", "--username", "u")
    manage(*add, "--url", "http://127.0.0.1:9", "--password-stdin", stdin="pw\n")

    enqueued = manage("twizzit_sync", "--org", "1001", "--async")

    assert enqueued.stdout == "Enqueued sync #1 (full); a qcluster worker runs it.\n"
    assert enqueued.stderr == ""
