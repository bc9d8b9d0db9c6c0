"""What needs a person's attention, per connection: the admin index panel's content.

A connection needs attention when conflicts wait for a decision, its last finished run
failed or was partial with a problem the run before it did not have (a partial run that
only repeats known problems counts as a success here), a run looks stuck (its heartbeat
is older than the lease, so the next claim or the janitor will mark it interrupted), its
month's Twizzit calls reached 90 % of the limit, or its credentials were never tested or
failed their last test. It also keeps the standing count in view: the players whose
Twizzit record holds a value ShotSpot refused, and the known problems a partial run still
repeats. `needs_attention()` lists those findings; an empty list means all is well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from twizzit.models import (
    ACTIVE_STATUSES,
    PlayerMapping,
    Resolution,
    SyncLog,
    SyncStatus,
    SyncType,
    TwizzitConfig,
)
from twizzit.models.usage import this_month, warning_threshold
from twizzit.services.access import connections_for
from twizzit.sync.runs import lease_window

PENDING_CONFLICTS = "pending_conflicts"
LAST_RUN_FAILED = "last_run_failed"
STUCK_RUN = "stuck_run"
QUOTA = "quota"
CREDENTIALS = "credentials"
REFUSED = "refused"


@dataclass
class Finding:
    kind: str
    text: str
    sync_log_id: int | None = None
    count: int = 0


@dataclass
class ConnectionAttention:
    config: TwizzitConfig
    findings: list[Finding] = field(default_factory=list)


def needs_attention(user=None) -> list[ConnectionAttention]:
    """Every connection with something to say, in name order (a few queries in all).

    With `user`, only the connections that user reaches (`access.connections_for`): a
    club's people never see another club's name or counts."""
    month = this_month()
    reachable = TwizzitConfig.objects.all() if user is None else connections_for(user)
    newest_finished = (
        SyncLog.objects.filter(config=OuterRef("pk"))
        .exclude(status__in=ACTIVE_STATUSES)
        # A few selected records synced fine does not clear a failed sync of the whole.
        .exclude(sync_type=SyncType.SELECTED, status=SyncStatus.SUCCESS)
        .order_by("-created_at", "-id")
    )
    configs = reachable.annotate(
        pending=Count("conflicts", filter=Q(conflicts__resolution=Resolution.PENDING)),
        last_run_id=Subquery(newest_finished.values("pk")[:1]),
        last_run_status=Subquery(newest_finished.values("status")[:1]),
        last_run_new_problems=Subquery(newest_finished.values("new_problems")[:1]),
    ).order_by("organization_name")
    refused = dict(
        PlayerMapping.objects.filter(player__isnull=False)
        .exclude(refused={})
        .values("config")
        .annotate(n=Count("pk"))
        .values_list("config", "n")
    )
    calls = dict(
        TwizzitConfig.objects.filter(api_usage__month=month).values_list("pk", "api_usage__calls")
    )
    stale_before = timezone.now() - lease_window()
    stuck = {
        log.config_id: log
        for log in SyncLog.objects.filter(
            status=SyncStatus.RUNNING, heartbeat_at__lt=stale_before
        ).only("pk", "config_id", "heartbeat_at")
    }
    result = []
    for config in configs:
        item = ConnectionAttention(config)
        if config.pending:
            item.findings.append(
                Finding(
                    PENDING_CONFLICTS,
                    f"{config.pending} pending conflict{'' if config.pending == 1 else 's'}",
                    count=config.pending,
                )
            )
        known_only = (
            config.last_run_status == SyncStatus.PARTIAL and config.last_run_new_problems == 0
        )
        if config.last_run_status in (SyncStatus.FAILED, SyncStatus.PARTIAL) and not known_only:
            outcome = "failed" if config.last_run_status == SyncStatus.FAILED else "was partial"
            item.findings.append(
                Finding(
                    LAST_RUN_FAILED,
                    f"The last sync (#{config.last_run_id}) {outcome}",
                    sync_log_id=config.last_run_id,
                )
            )
        standing = []
        if refused.get(config.pk):
            n = refused[config.pk]
            standing.append(f"{n} player{'' if n == 1 else 's'} with a Twizzit value refused")
        if known_only:
            standing.append(f"the last sync (#{config.last_run_id}) repeated known problems only")
        if standing:
            text = "; ".join(standing)
            item.findings.append(
                Finding(
                    REFUSED,
                    text[0].upper() + text[1:],
                    sync_log_id=config.last_run_id if known_only else None,
                    count=refused.get(config.pk, 0),
                )
            )
        if config.pk in stuck:
            log = stuck[config.pk]
            item.findings.append(
                Finding(
                    STUCK_RUN,
                    f"Sync #{log.pk} looks stuck: no heartbeat since "
                    f"{timezone.localtime(log.heartbeat_at):%Y-%m-%d %H:%M}",
                    sync_log_id=log.pk,
                )
            )
        spent = calls.get(config.pk, 0)
        limit = config.monthly_call_limit
        if limit and spent >= warning_threshold(limit):
            item.findings.append(
                Finding(
                    QUOTA,
                    f"{spent} of {limit} Twizzit calls spent this month ({spent * 100 // limit} %)",
                )
            )
        if config.credentials_checked_at is None:
            item.findings.append(Finding(CREDENTIALS, "Credentials never tested"))
        elif not config.credentials_ok:
            item.findings.append(
                Finding(
                    CREDENTIALS, f"Last connection test failed: {config.credentials_check_summary}"
                )
            )
        if item.findings:
            result.append(item)
    return result
