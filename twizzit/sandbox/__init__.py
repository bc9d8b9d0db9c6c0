"""A local Twizzit: the v2 API on loopback, with generated data and remote controls.

    from twizzit.sandbox import SandboxServer
    with SandboxServer(seed=1, contacts=300, groups=24) as server:
        server.url, server.username, server.password, server.organization_id
        server.state.fail("contacts", status=503, times=2, offset=100)

It stands in for app.twizzit.com in tests, demos and benchmarks: the same paths,
parameters, record shapes and refusals (see docs/sandbox.md and the shared notes on the
real API), deterministic data per seed, and controls to make it misbehave on purpose.

- `data`: the deterministic generator (seasons, teams, rosters, memberships, events),
  with `people` (contacts) and `vocabulary` (Belgian names, towns, EN/NL/FR labels).
- `store`: the records and their edits; `state`: the store plus tokens, clock,
  injected failures, latency and call counters, all thread-safe.
- `api`: the `/v2/api/` endpoints; `controls`: the `/_sandbox/` routes.
- `server`: `SandboxServer`, the HTTP server in a thread.
"""

from twizzit.sandbox.data import ORGANIZATION_ID, ORGANIZATION_NAME
from twizzit.sandbox.server import SandboxServer
from twizzit.sandbox.state import PASSWORD, USERNAME, SandboxState

__all__ = [
    "ORGANIZATION_ID",
    "ORGANIZATION_NAME",
    "PASSWORD",
    "USERNAME",
    "SandboxServer",
    "SandboxState",
]
