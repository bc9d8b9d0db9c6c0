"""Checking a Twizzit connection: are the credentials right, and what may they read?

A check spends as few calls as it can, since every call counts against the monthly
quota: the organisation list (which logs in first when no valid token is cached), then
one-record probes (`limit=1`) of seasons, groups and contacts in the organisation. A 403
on the first probe means the organisation itself is closed to the account, so the other
probes are not spent. A healthy connection costs 4 calls, 5 with a login.

`verify_config` checks a saved connection (its token is cached and its calls are
counted, like any sync); `verify_credentials` checks values typed into a form before
anything is saved (nothing is stored, nothing counted). Both return a `VerifyReport`;
every failure becomes a sentence in `problems`, never an exception.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TextIO

from django.utils import timezone

from twizzit.client import (
    TwizzitAuthError,
    TwizzitBadResponse,
    TwizzitClient,
    TwizzitError,
    TwizzitPermissionError,
)
from twizzit.connection.gateway import client_for
from twizzit.crypto import SecretDecryptionError
from twizzit.models import TwizzitConfig

PROBED = ("seasons", "groups", "contacts")


@dataclass
class VerifyReport:
    """What a connection check found; `summary` is one sentence for people."""

    ok: bool = False
    credentials_accepted: bool = False
    organizations: list[dict] = field(default_factory=list)
    organization_readable: bool = False
    readable: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PROBED, False))
    problems: list[str] = field(default_factory=list)
    summary: str = ""
    api_calls: int = 0
    organization_id: int | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def verify_config(config: TwizzitConfig) -> VerifyReport:
    """Check a saved connection; the token it gets is cached for the next sync.

    The outcome is kept on the connection (when, ok, the summary), so the admin can tell
    a connection never tested or failing from one that works.
    """
    report = VerifyReport(organization_id=config.organization_id)
    try:
        client = client_for(config)
    except TwizzitError as exc:
        report.problems.append(f"The connection cannot be used: {exc}")
        report = _finish(report)
    else:
        report = _run(client, report)
    _record(config, report)
    return report


def _record(config: TwizzitConfig, report: VerifyReport) -> None:
    checked = {
        "credentials_checked_at": timezone.now(),
        "credentials_ok": report.ok,
        "credentials_check_summary": report.summary[:500],
    }
    TwizzitConfig.objects.filter(pk=config.pk).update(**checked)
    for name, value in checked.items():
        setattr(config, name, value)


def verify_credentials(
    *, base_url: str, username: str, password: str, organization_id: int
) -> VerifyReport:
    """Check credentials that are not saved yet; nothing is stored or counted."""
    report = VerifyReport(organization_id=organization_id)
    try:
        client = TwizzitClient(
            base_url=base_url,
            username=username,
            password=password,
            organization_id=organization_id,
        )
    except TwizzitError as exc:
        report.problems.append(f"The connection cannot be used: {exc}")
        return _finish(report)
    return _run(client, report)


def _run(client: TwizzitClient, report: VerifyReport) -> VerifyReport:
    try:
        _check(client, report)
    except SecretDecryptionError as exc:
        report.problems.append(f"The stored password cannot be used: {exc}")
    except TwizzitError as exc:
        # Unreachable, rate-limited, quota spent: nothing more can be learnt now.
        report.problems.append(f"The check could not finish: {exc}")
    finally:
        report.api_calls = client.calls_made
        client.close()
    return _finish(report)


def _check(client: TwizzitClient, report: VerifyReport) -> None:
    org = client.organization_id
    try:
        organizations = client.organizations()
    except TwizzitAuthError as exc:
        report.problems.append(str(exc))
        return
    except TwizzitPermissionError:
        # Seen on real accounts: /organizations answers 400 "no access for current
        # endpoint" after a good login. The probes below still tell what is readable.
        report.credentials_accepted = True
        report.notes.append("This account may not list its organisations.")
    else:
        report.credentials_accepted = True
        report.organizations = [
            {"id": o.get("id"), "name": o.get("name")} for o in organizations if isinstance(o, dict)
        ]
        if org not in {o["id"] for o in report.organizations}:
            report.notes.append(f"Organisation {org} is not among those this account lists.")

    for endpoint in PROBED:
        try:
            client.probe(endpoint)
        except TwizzitPermissionError as exc:
            if exc.status == 403:
                report.problems.append(f"Organisation {org} is not readable: {exc}")
                return
            report.organization_readable = True
            report.problems.append(f"{endpoint.capitalize()} are not readable: {exc}")
        except TwizzitBadResponse as exc:
            report.organization_readable = True
            report.problems.append(f"{endpoint.capitalize()} could not be read: {exc}")
        else:
            report.organization_readable = True
            report.readable[endpoint] = True


def _finish(report: VerifyReport) -> VerifyReport:
    report.ok = (
        report.credentials_accepted
        and report.organization_readable
        and all(report.readable.values())
        and not report.problems
    )
    if report.ok:
        report.summary = (
            f"Twizzit accepted the credentials and organisation {report.organization_id} "
            f"is readable: seasons, groups and contacts ({report.api_calls} API calls)."
        )
    elif not report.problems:
        report.summary = "The check could not confirm that the connection works."
    else:
        more = len(report.problems) - 1
        report.summary = report.problems[0] + (f" (and {more} more problems)" if more else "")
    return report


def print_report(report: VerifyReport, stream: TextIO) -> None:
    """The report as a few aligned lines for a terminal."""
    org = report.organization_id
    visible = ", ".join(f"{o['id']} {o['name']}" for o in report.organizations) or "none listed"
    rows = [
        ("Credentials", "accepted" if report.credentials_accepted else "not confirmed"),
        ("Organisations visible", visible),
        (f"Organisation {org}", _readable(report.organization_readable)),
        *((name.capitalize(), _readable(report.readable[name])) for name in PROBED),
        ("API calls spent", str(report.api_calls)),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    lines += [f"Note: {note}" for note in report.notes]
    lines += [f"Problem: {problem}" for problem in report.problems]
    lines.append(("OK: " if report.ok else "FAILED: ") + report.summary)
    for line in lines:
        stream.write(line + "\n")


def _readable(readable: bool) -> str:
    # "not confirmed": refused, or never probed because an earlier step failed.
    return "readable" if readable else "not confirmed"
