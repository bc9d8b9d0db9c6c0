"""Run the local Twizzit sandbox until Ctrl-C.

    manage.py twizzit_sandbox [--port 8765] [--seed 1] [--contacts 300] [--groups 24]
                              [--token-ttl 1800] [--create-config] [-v 2]

Prints the URL and the sandbox's credentials. `--create-config` registers (or points
an existing one at this run) the connection for the sandbox organisation, its password
sealed like any other, so the admin, the API and `twizzit_sync` can use it at once.
`-v 2` prints every request line. See docs/sandbox.md for the controls.
"""

import logging
import signal
import threading

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from twizzit.models import TwizzitConfig
from twizzit.sandbox import ORGANIZATION_NAME, SandboxServer
from twizzit.services.connections import create_connection, update_connection


def register_sandbox_connection(server: SandboxServer) -> tuple[TwizzitConfig, bool]:
    """Create the sandbox organisation's connection, or point the existing one here.

    Returns (config, created). An existing connection keeps its name and settings; only
    its URL and credentials change (which also drops its cached token).
    """
    credentials = {"api_base_url": server.url, "api_username": server.username}
    config = TwizzitConfig.objects.filter(organization_id=server.organization_id).first()
    if config is None:
        config = create_connection(
            password=server.password,
            organization_id=server.organization_id,
            organization_name=ORGANIZATION_NAME,
            **credentials,
        )
        return config, True
    return update_connection(config, password=server.password, **credentials), False


def non_negative(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value


class Command(BaseCommand):
    help = "Serve a local Twizzit (v2 API with generated data) on loopback until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=non_negative, default=8765, help="0 = any free port")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--contacts", type=non_negative, default=300)
        parser.add_argument("--groups", type=non_negative, default=24, help="teams this season")
        parser.add_argument("--token-ttl", type=non_negative, default=1800, help="seconds")
        parser.add_argument(
            "--tidy",
            action="store_true",
            help="Leave out the members with messy values (an invalid e-mail, an impossible "
            "date, a note in a phone field) that the sandbox adds to its data by default.",
        )
        parser.add_argument(
            "--create-config",
            action="store_true",
            help="Register (or update) the connection for the sandbox organisation.",
        )

    def handle(self, *args, **options):
        server = SandboxServer(
            seed=options["seed"],
            contacts=options["contacts"],
            groups=options["groups"],
            messy=not options["tidy"],
            token_ttl=options["token_ttl"],
            port=options["port"],
        )
        try:
            server.start()
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on 127.0.0.1:{options['port']} ({exc.strerror}); "
                "pick another port with --port."
            ) from None
        try:
            if options["verbosity"] >= 2:
                self._print_requests()
            self._describe(server, options)
            if options["create_config"]:
                self._register(server)
            self.stdout.write("Press Ctrl-C to stop.")
            self.stdout.flush()
            wait_until_interrupted()
        finally:
            server.stop()
        self.stdout.write("Sandbox stopped.")

    def _describe(self, server: SandboxServer, options) -> None:
        state = server.state
        current = state.current_season
        teams = [g for g in state.groups if g["season"] and g["season"]["id"] == current["id"]]
        self.stdout.write(f"Twizzit sandbox on {server.url}")
        for label, value in (
            ("API", f"{server.url}/v2/api/"),
            ("Controls", f"{server.url}/_sandbox/"),
            ("Username", server.username),
            ("Password", server.password),
            ("Organisation", f"{server.organization_id} ({ORGANIZATION_NAME})"),
            (
                "Data",
                f"seed {options['seed']}: {len(state.contacts)} contacts, "
                f"{len(state.groups)} teams ({len(teams)} in {current['name']}), "
                f"{len(state.group_contacts)} roster lines",
            ),
            ("Tokens", f"valid {options['token_ttl']} s"),
        ):
            self.stdout.write(f"  {label + ':':<14}{value}")

    def _register(self, server: SandboxServer) -> None:
        try:
            config, created = register_sandbox_connection(server)
        except ValidationError as exc:
            raise CommandError(f"Could not register the sandbox connection: {exc}") from None
        verb = "Registered" if created else "Updated"
        self.stdout.write(f"{verb} connection {config} -> {server.url}")

    def _print_requests(self) -> None:
        # The project's console handler (with its secret-redacting filter) prints them.
        logging.getLogger("twizzit.sandbox").setLevel(logging.DEBUG)


def wait_until_interrupted() -> None:
    """Block until SIGINT (Ctrl-C) or SIGTERM; either ends the command cleanly.

    Both get explicit handlers: a shell starts background jobs with SIGINT ignored, and
    `kill -INT` should still stop the sandbox there.
    """
    stopped = threading.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda *_: stopped.set()) for number in signals}
    try:
        while not stopped.wait(0.5):
            pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
