"""`make screenshots`: every picture in docs/img/, taken again from a demo built from scratch.

    .venv/bin/python docs/screenshots.py [--out docs/img] [--only NAME ...] [--keep]

The pictures in the admin's guide (docs/TWIZZIT.md) are not drawn by hand: this script
builds the same club every time and photographs the real screens, so a changed screen is
one `make screenshots` away from a current picture.

1. A fresh SQLite database in a temporary directory (never the demo's `var/`), migrated.
2. The Twizzit sandbox with its fixed seed (300 members, 24 teams, and make run's 18
   members with one messy value each; the clock makes 2025-2026 its current season), the sandbox's
   connection, and a short history of syncs run in this process at fixed moments (the
   clock is moved with time-machine and each run's duration is set by the scenario, so every
   date and duration on a picture is the same each run; the sandbox listens on make
   run's port 8765 when it is free, so the connection's address is the reader's):
   the first sync, quiet nightly runs, a run that hit a Twizzit outage and a bad record,
   and a run that raised one conflict of each kind (changed on both sides, a possible
   duplicate, deleted in Twizzit, deleted in ShotSpot), provoked with the sandbox's
   controls the way docs/demo.md does it by hand.
3. The admin served from a thread of this process, still on the fixed clock, and headless
   Chromium (Debian's, never a downloaded one) at 1400 px, logged in as the demo admin.
4. One PNG per entry of `SCREENS`, reduced to a 256-colour palette and optimised.

A screen is one line of `SCREENS`: its file name, the path to open (with `{placeholders}`
for the ids of the scenario's records), the selector to wait for, and optionally an
element to clip to and a small action (a click) before the picture. A screen marked
`optional` belongs to a feature that may not be on this branch yet: when its page or its
element is missing it is skipped with a note instead of failing the run.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "img"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 900}
ADMIN_USER, ADMIN_PASSWORD = "admin", "shotspot-demo"
# The moment every picture is taken: a Saturday morning in the sandbox's current season.
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
JANA = 2100001
REFUSED_EMAIL = 2900005  # the sandbox's member whose e-mail has a comma for a dot
SANDBOX_PORT = 8765  # make run's default  # the contact docs/demo.md edits on both sides


@dataclass(frozen=True)
class Screen:
    name: str  # docs/img/<name>.png
    path: str  # opened on the admin's server; {placeholders} from Scenario.ids
    wait_for: str = "#content"  # a selector that must be visible before the picture
    clip: str | None = None  # a selector: picture of that element only
    action: Callable | None = None  # called with the page before the picture
    full_page: bool = False  # the whole page instead of the 1400 x 900 viewport
    logged_in: bool = True
    optional: bool = False  # a feature that may not be on this branch yet: skip if absent


def click_labelled(page, label: str) -> None:
    """Click the link or button called `label` (the admin draws some buttons as links)."""
    link = page.get_by_role("link", name=label, exact=True)
    page.get_by_role("button", name=label, exact=True).or_(link).first.click()


def choose_action(page, label: str, rows: int) -> None:
    """Tick the first `rows` rows of a changelist and pick an action, without running it."""
    for box in page.locator("#result_list .action-select").all()[:rows]:
        box.check()
    page.select_option("select[name=action]", label=label)


def confirm_erasure(page) -> None:
    """Open "Erase personal data…" for the first player listed; stop at its confirmation."""
    choose_action(page, "Erase personal data…", rows=1)
    page.click("button[name=index]")


CONNECTION = "/admin/twizzit/twizzitconfig/{config}/change/"
CONFLICT = "/admin/twizzit/syncconflict/{%s}/change/"
SCREENS = [
    Screen("login", "/admin/login/", "#login-form", clip="#container", logged_in=False),
    Screen("admin-index", "/admin/"),
    Screen("connection-add", "/admin/twizzit/twizzitconfig/add/", full_page=True),
    Screen("connection", CONNECTION, full_page=True),
    Screen("connections", "/admin/twizzit/twizzitconfig/"),
    Screen("sync-logs", "/admin/twizzit/synclog/"),
    Screen("sync-log-first", "/admin/twizzit/synclog/{first_sync}/change/", full_page=True),
    Screen("sync-log-partial", "/admin/twizzit/synclog/{partial_sync}/change/", full_page=True),
    Screen("sync-log-preview", "/admin/twizzit/synclog/{preview}/change/", full_page=True),
    Screen("conflicts", "/admin/twizzit/syncconflict/?resolution__exact=pending"),
    Screen("conflict-data-mismatch", CONFLICT % "data_mismatch", full_page=True),
    Screen("conflict-duplicate", CONFLICT % "duplicate", full_page=True),
    Screen("conflict-deleted-in-twizzit", CONFLICT % "deleted_in_twizzit", full_page=True),
    Screen("conflict-deleted-in-shotspot", CONFLICT % "deleted_in_shotspot", full_page=True),
    Screen("players", "/admin/shotspot/player/?q=De+Smet"),
    Screen("player", "/admin/shotspot/player/{jana}/change/", full_page=True),
    Screen("player-refused-email", "/admin/shotspot/player/{refused}/change/", full_page=True),
    Screen("teams", "/admin/shotspot/team/"),
    Screen("player-mappings", "/admin/twizzit/playermapping/?q=De+Smet"),
    Screen("schedules", "/admin/django_q/schedule/"),
    Screen("api-usage", "/admin/twizzit/apiusage/"),
    Screen(
        "connection-test",
        CONNECTION,
        "text=/credentials\\W+accepted/i",
        action=lambda page: click_labelled(page, "Test connection"),
        full_page=True,
    ),
    Screen(
        "sync-confirm",
        CONNECTION,
        "#twz-confirm, [type=submit][value^='Start']",
        action=lambda page: click_labelled(page, "Full sync"),
    ),
    Screen("cockpit-chart", CONNECTION, "#content svg", clip="#content svg"),
    Screen(
        "players-resync-action",
        "/admin/shotspot/player/?q=De+Smet",
        "#result_list",
        action=lambda page: choose_action(page, "Re-sync selected from Twizzit", rows=2),
    ),
    Screen("api-docs", "/api/docs/", ".swagger-ui .info"),
    Screen("notifications", "/admin/twizzit/notification/"),
    Screen("games", "/admin/shotspot/game/"),
    Screen(
        "privacy-erase-confirmation",
        "/admin/shotspot/player/?q=De+Smet",
        "text=Erase personal data: are you sure?",
        action=confirm_erasure,
        full_page=True,
    ),
    Screen("privacy-retention", "/admin/twizzit/erasedcontact/retention/", full_page=True),
]


# --- the demo ------------------------------------------------------------------------------
def configure_django(tmp: Path) -> None:
    """Settings for a throw-away demo: its own SQLite file and development keys."""
    os.environ.update(
        DEBUG="true",
        SHOTSPOT_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'screenshots.sqlite3'}",
        LOG_LEVEL="ERROR",
        # Playwright's sync API runs an event loop in this thread; the ORM calls made here
        # between pictures are safe (one thread of ours, no coroutine of ours).
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shotspot.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.test.utils import override_settings

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the browser's favicon 404

    # The browser's clock is the real one, the server's is fixed: cookies without an
    # expiry date keep the two from disagreeing about whether a login is still valid.
    override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True, CSRF_COOKIE_AGE=None).enable()


class Scenario:
    """The club, its history of syncs and one conflict of each kind, at fixed moments."""

    def __init__(self, clock, sandbox):
        self.clock, self.sandbox, self.ids = clock, sandbox, {}

    def at(self, day: int, hour: int, minute: int = 0) -> None:
        self.clock.move_to(datetime(2026, 3, day, hour, minute, tzinfo=UTC))

    def sync(self, seconds: float, **kwargs):
        from twizzit.models import SyncTrigger
        from twizzit.sync import engine, run_sync

        kwargs.setdefault("trigger", SyncTrigger.SCHEDULE)
        # A run's duration comes from time.monotonic, which no clock travel moves: a
        # stand-in gives each run the duration the scenario says, every time.
        with mock.patch.object(engine, "time", FixedDuration(seconds)):
            return run_sync(self.config, **kwargs)

    def build(self) -> dict:
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django_q.models import Schedule

        from shotspot.models import Player
        from twizzit.connection.schedules import ensure_schedules
        from twizzit.management.commands.twizzit_sandbox import register_sandbox_connection
        from twizzit.models import SyncConflict, SyncTrigger
        from twizzit.services.verify import verify_config

        state = self.sandbox.state
        bad, leaver, deleted = (state.contacts[i] for i in (40, 60, 90))
        self.at(2, 18)
        call_command("migrate", interactive=False, verbosity=0)
        admin = get_user_model().objects.create_superuser(
            ADMIN_USER, "admin@example.com", ADMIN_PASSWORD
        )
        self.config, _ = register_sandbox_connection(self.sandbox)
        self.at(2, 18, 5)
        verify_config(self.config)  # "Test connection" before the first sync, as the guide says
        first = self.sync(2.8, trigger=SyncTrigger.ADMIN, user=admin)
        for day, seconds in zip(range(3, 9), (0.6, 0.5, 0.7, 0.6, 0.5, 0.6), strict=True):
            self.at(day, 2)  # quiet nights: nothing changed, almost nothing spent
            self.sync(seconds)
        # A Twizzit outage on the second page of contacts, and a record that cannot be stored.
        state.update_contact(bad["id"], **{"date-of-birth": "2009-02-30"})
        state.fail("contacts", status=503, times=10, offset=100)
        self.at(9, 2)
        partial = self.sync(7.4)  # the client's retries took their time
        state.heal()
        state.update_contact(bad["id"], **{"date-of-birth": bad["date-of-birth"]})
        for day, seconds in zip(range(10, 13), (0.6, 0.7, 0.5), strict=True):
            self.at(day, 2)
            self.sync(seconds)
        # One conflict of each kind, provoked the way a club provokes them by accident.
        jana = Player.objects.get(twizzit_mappings__twizzit_contact_id=JANA)
        jana.jersey_number = 7  # edited in ShotSpot...
        jana.save()
        state.update_contact(JANA, number=12)  # ...and in Twizzit
        twins = [  # two ShotSpot players share the e-mail address of a new Twizzit member
            Player.objects.create(first_name="Lotte", last_name=last, email="lotte@example.be")
            for last in ("Peeters", "Peeters-Wouters")
        ]
        state.add_contact(
            **{"first-name": "Lotte", "last-name": "Peeters", "registry-number": None},
            email_1={"target": None, "email": "lotte@example.be"},
        )
        state.remove_contact(leaver["id"])  # left the club in Twizzit
        gone = Player.objects.get(twizzit_mappings__twizzit_contact_id=deleted["id"])
        gone.delete()  # deleted by hand in ShotSpot
        self.at(13, 2)
        conflicted = self.sync(0.9)
        # A preview: the secretary renamed a team and a member's first name in Twizzit.
        current = state.current_season["id"]
        team = next(g for g in state.groups if g["season"] and g["season"]["id"] == current)
        state.update_group(team["id"], name=f"{team['name']} (A)")
        state.update_contact(state.contacts[5]["id"], **{"first-name": "Warre-Jan"})
        self.at(14, 9, 15)
        preview = self.sync(0.8, dry_run=True, trigger=SyncTrigger.ADMIN, user=admin)
        self.at(14, 9, 30)
        # The schedules as a running scheduler would show them now: next runs ahead.
        Schedule.objects.all().delete()
        ensure_schedules()
        pending = SyncConflict.objects.filter(resolution="pending")
        self.ids = {
            "config": self.config.pk,
            "first_sync": first.pk,
            "partial_sync": partial.pk,
            "conflict_sync": conflicted.pk,
            "preview": preview.pk,
            "jana": jana.pk,
            "refused": Player.objects.get(twizzit_mappings__twizzit_contact_id=REFUSED_EMAIL).pk,
            "twins": [twin.pk for twin in twins],
            **{kind: pending.filter(conflict_type=kind).first().pk for kind in CONFLICT_KINDS},
        }
        return self.ids


class FixedDuration:
    """The `time` module, except that monotonic() says 0 at first and `seconds` after."""

    def __init__(self, seconds: float):
        self.seconds, self.calls = seconds, 0

    def monotonic(self) -> float:
        self.calls += 1
        return 0.0 if self.calls == 1 else self.seconds

    def __getattr__(self, name):
        return getattr(time, name)


def start_sandbox(server_class):
    """The sandbox on make run's port, so the pictures show the address a reader's demo
    has; on any free port when that one is taken (a demo running), with a note."""
    try:
        return server_class(seed=1, contacts=300, groups=24, messy=True, port=SANDBOX_PORT).start()
    except OSError:
        print(f"Port {SANDBOX_PORT} is taken: the connection's address on the pictures differs.")
        return server_class(seed=1, contacts=300, groups=24, messy=True).start()


CONFLICT_KINDS = ("data_mismatch", "duplicate", "deleted_in_twizzit", "deleted_in_shotspot")


def serve() -> str:
    """The admin on a free loopback port, from a thread of this process (same clock)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    # Not get_wsgi_application(): a second django.setup() would reset the logging levels.
    server.set_app(StaticFilesHandler(WSGIHandler()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


# --- the pictures --------------------------------------------------------------------------
def optimise(png: bytes) -> bytes:
    """A 256-colour palette and zlib's best: a fifth of the size, no visible loss."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


SIDEBAR_CLOSED = "localStorage.setItem('django.admin.navSidebarIsOpen', 'false');"


def shoot(browser, base: str, screens: list[Screen], ids: dict, out: Path) -> list[str]:
    """Take each screen; returns the optional screens skipped (with the reason)."""
    from playwright.sync_api import Error as PlaywrightError

    skipped = []
    contexts = {}
    for logged_in in (False, True):
        context = browser.new_context(
            viewport=VIEWPORT, timezone_id="UTC", locale="en-GB", device_scale_factor=1
        )
        context.set_default_timeout(15_000)
        # The admin's navigation sidebar closed: the pictures are about the page itself.
        context.add_init_script(SIDEBAR_CLOSED)
        contexts[logged_in] = context
    login = contexts[True].new_page()
    login.goto(f"{base}/admin/login/?next=/admin/")
    login.fill("#id_username", ADMIN_USER)
    login.fill("#id_password", ADMIN_PASSWORD)
    login.click("input[type=submit]")
    login.wait_for_url(f"{base}/admin/")
    login.close()
    for screen in screens:
        page = contexts[screen.logged_in].new_page()
        page.clock.set_fixed_time(NOW)
        try:
            response = page.goto(base + screen.path.format(**ids))
            if response is None or response.status >= 400:
                raise LookupError(f"{screen.path} answered {response and response.status}")
            timeout = 3_000 if screen.optional else 15_000
            if screen.action:
                page.set_default_timeout(timeout)
                screen.action(page)
            page.wait_for_selector(screen.wait_for, state="attached", timeout=timeout)
            page.wait_for_load_state("networkidle")
            target = page.locator(screen.clip).first if screen.clip else page
            options = {} if screen.clip else {"full_page": screen.full_page}
            png = target.screenshot(animations="disabled", caret="hide", **options)
        except (LookupError, PlaywrightError) as exc:
            if not screen.optional:
                raise SystemExit(f"Screen {screen.name!r} failed: {exc}") from exc
            skipped.append(f"{screen.name} ({str(exc).splitlines()[0]})")
            continue
        finally:
            page.close()
        (out / f"{screen.name}.png").write_bytes(optimise(png))
        print(f"  {screen.name}.png")
    for context in contexts.values():
        context.close()
    return skipped


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", nargs="*", help="screen names (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    screens = [s for s in SCREENS if not args.only or s.name in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="shotspot-screenshots-"))
    try:
        import time_machine

        configure_django(tmp)
        from playwright.sync_api import sync_playwright

        from twizzit.sandbox import SandboxServer

        with (
            time_machine.travel(NOW, tick=True) as clock,
            start_sandbox(SandboxServer) as sandbox,
        ):
            print("Building the demo club and its history of syncs…")
            ids = Scenario(clock, sandbox).build()
            base = serve()
            print(f"Taking {len(screens)} pictures into {args.out}:")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
                )
                skipped = shoot(browser, base, screens, ids, args.out)
                browser.close()
    finally:
        if args.keep:
            print(f"The demo's database stays in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    total = sum(path.stat().st_size for path in args.out.glob("*.png"))
    print(f"{args.out}: {total / 1_000_000:.1f} MB in PNG files.")
    for note in skipped:
        print(f"  skipped (not on this branch yet): {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
