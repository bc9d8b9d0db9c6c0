"""The start scripts' check: refuse to start, in one line, when the environment is not fit.

`bin/web`, `bin/worker` and `bin/migrate` run `python -m shotspot.preflight <role>` first,
whatever way the service is deployed (compose, systemd, by hand). It loads the settings
exactly as the process will, and refuses with one line on stderr and exit code 78
(EX_CONFIG) when:

- DEBUG is on (the scripts are the production start; `make run` is the demo);
- SECRET_KEY or TWIZZIT_ENCRYPTION_KEY is missing or weak (the rules of shotspot/keys.py,
  which the settings apply, and Django's own weak-secret check);
- ALLOWED_HOSTS is unset or empty (every request would be refused with a 400);
- any of Django's system checks reports an error.

Nothing is printed when all is well, so the scripts' output is the process's own.
"""

from __future__ import annotations

import os
import sys

EX_CONFIG = 78  # sysexits.h: "configuration error"; systemd and compose show the code
ROLES = ("web", "worker", "migrate")
TRUE = {"1", "true", "yes", "on"}


def problem() -> str | None:
    """The first reason not to start, or None."""
    # Read before the settings load: with DEBUG on they would generate development keys.
    if os.environ.get("DEBUG", "").strip().lower() in TRUE:
        return (
            "DEBUG is on: the start scripts run the service in production; "
            "unset DEBUG (or use `make run` for the demo)."
        )
    if not os.environ.get("ALLOWED_HOSTS", "").strip(" ,"):
        return (
            "ALLOWED_HOSTS is not set: name the host names the service is reached by, "
            "comma-separated (e.g. ALLOWED_HOSTS=shotspot.example.org)."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shotspot.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        return str(exc)
    from django.core import checks

    found = checks.run_checks(include_deployment_checks=True)
    for message in found:
        # W009: Django's "SECRET_KEY looks weak" (too few distinct characters, a default).
        if message.level >= checks.ERROR or message.id == "security.W009":
            text = f"{message.id}: {message.msg}"
            return " ".join(text.split())
    return None


def main(argv: list[str]) -> int:
    role = argv[1] if len(argv) > 1 else ""
    if role not in ROLES:
        print(f"usage: python -m shotspot.preflight {{{','.join(ROLES)}}}", file=sys.stderr)
        return 2
    reason = problem()
    if reason:
        print(f"bin/{role}: refusing to start: {reason}", file=sys.stderr)
        return EX_CONFIG
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
