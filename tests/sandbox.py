"""Pytest fixtures that run the local Twizzit (twizzit.sandbox) for tests over real HTTP.

Register with `pytest_plugins = ["tests.sandbox"]` (in tests/conftest.py).

- `sandbox_server` (session): one server with the default data (seed 1, 300 contacts,
  24 teams), started once on an ephemeral loopback port.
- `sandbox` (function): that server, reset first: generated data back, no injected
  failures or latency, no tokens, call counters at zero.
- `make_sandbox` (session): `make_sandbox(contacts=201, groups=0)` returns a server of
  that size (built once per size for the session, reset on every call).
- `sandbox_config` (function, db): a TwizzitConfig for the sandbox's organisation that
  points at `sandbox.url` with its credentials; `connect(server)` makes one for any
  server from `make_sandbox`.
- `early_in_season` (function): the clock (time-machine, ticking) at ten days into the
  sandbox's current season, so the games window (`TWIZZIT_GAMES_LOOKBACK_DAYS` back, never
  before the season's start) holds the whole season on whatever day the tests run; the
  sandbox's season follows the real clock, so that day is in this season.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from twizzit.sandbox import ORGANIZATION_NAME, SandboxServer
from twizzit.services.connections import create_connection


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer(seed=1, contacts=300, groups=24).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.state.reset()
    return sandbox_server


@pytest.fixture(scope="session")
def make_sandbox():
    servers: dict[tuple, SandboxServer] = {}

    def make(**options) -> SandboxServer:
        key = tuple(sorted(options.items()))
        if key not in servers:
            servers[key] = SandboxServer(**options).start()
        server = servers[key]
        server.state.reset()
        return server

    yield make
    for server in servers.values():
        server.stop()


def connect(server: SandboxServer, **fields):
    """A saved connection (password sealed) to `server`; needs the database."""
    return create_connection(
        password=server.password,
        **{
            "organization_id": server.organization_id,
            "organization_name": ORGANIZATION_NAME,
            "api_base_url": server.url,
            "api_username": server.username,
            **fields,
        },
    )


@pytest.fixture
def sandbox_config(db, sandbox):
    return connect(sandbox)


@pytest.fixture
def early_in_season(sandbox):
    start = date.fromisoformat(sandbox.state.current_season["start-date"])
    moment = datetime.combine(start + timedelta(days=10), time(10), tzinfo=UTC)
    with time_machine.travel(moment, tick=True):
        yield moment
