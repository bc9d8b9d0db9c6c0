"""The sync health chart: inline SVG drawn on the server, nothing loaded by the browser.

`runs_chart` draws the last runs of a connection as bars (height: duration in seconds,
colour: status), oldest on the left, each with a hover title giving its counts.
`calls_chart` draws the Twizzit calls per month against the monthly limit. Both return
markup ready for a template; every text in them is escaped.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from twizzit.admin.display import STATUS_COLOURS, seconds, total

WIDTH, HEIGHT, PAD = 640, 160, 44


def runs_chart(logs, slots: int = 30) -> str:
    """Bars of duration coloured by status; `logs` newest first (as the log is ordered).

    The chart has room for `slots` runs, so a bar keeps its width as runs accumulate.
    """
    logs = list(reversed(list(logs)))
    if not logs:
        return mark_safe('<p class="help">No finished runs yet.</p>')
    longest = max((log.duration_ms or 0) for log in logs) or 1
    slot = (WIDTH - PAD) / max(len(logs), slots)
    bar = max(slot * 0.7, 2)
    parts = [
        f'<svg class="twz-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT + 20}" '
        f'width="{WIDTH}" height="{HEIGHT + 20}">',
        f"<title>Duration of the last {len(logs)} runs, coloured by status</title>",
        _axis(seconds(longest), "0 s"),
    ]
    for i, log in enumerate(logs):
        height = max((log.duration_ms or 0) / longest * (HEIGHT - 10), 2)
        x = PAD + i * slot + (slot - bar) / 2
        when = timezone.localtime(log.completed_at or log.created_at)
        tip = (
            f"#{log.pk} {log.get_sync_type_display()} sync{' (preview)' if log.dry_run else ''}"
            f", {log.get_status_display()}, {when:%Y-%m-%d %H:%M}, {seconds(log.duration_ms)}: "
            f"{total(log.stats, 'created')} created, {total(log.stats, 'updated')} updated, "
            f"{total(log.stats, 'conflicts')} conflicts, {total(log.stats, 'errors')} errors"
        )
        parts.append(
            f'<rect class="twz-run-bar" data-status="{escape(log.status)}" x="{x:.1f}" '
            f'y="{HEIGHT - height:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="{STATUS_COLOURS.get(log.status, "#6c757d")}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (built from escaped values)


def calls_chart(months: list[tuple], limit: int) -> str:
    """Bars of calls per month ([(first day, calls)], oldest first) against the limit.

    The limit is a dashed line; when it dwarfs the busiest month (a club far below its
    quota), the scale follows the months instead and the limit is named above the bars.
    """
    busiest = max((calls for _, calls in months), default=0)
    limit_on_scale = busiest * 4 >= limit
    top = (limit if limit_on_scale else max(-(-busiest * 5 // 4), 1)) or 1
    top = max(top, busiest, 1)
    slot = (WIDTH - PAD) / max(len(months), 1)
    bar = slot * 0.6
    parts = [
        f'<svg class="twz-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT + 20}" '
        f'width="{WIDTH}" height="{HEIGHT + 20}">',
        f"<title>Twizzit calls per month, last {len(months)} months, against the limit</title>",
        _axis(f"{top}", "0"),
    ]
    if limit_on_scale:
        limit_y = HEIGHT - limit / top * (HEIGHT - 10)
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH}" y1="{limit_y:.1f}" y2="{limit_y:.1f}" '
            f'stroke="#dc3545" stroke-dasharray="4 3"><title>Monthly limit: {limit} calls'
            "</title></line>"
        )
    else:
        parts.append(
            f'<text x="{WIDTH - 4}" y="12" text-anchor="end" font-size="11" fill="#dc3545">'
            f"Monthly limit: {limit} calls (far above)</text>"
        )
    for i, (month, calls) in enumerate(months):
        height = max(calls / top * (HEIGHT - 10), 1 if calls else 0)
        x = PAD + i * slot + (slot - bar) / 2
        parts.append(
            f'<rect class="twz-month-bar" x="{x:.1f}" y="{HEIGHT - height:.1f}" '
            f'width="{bar:.1f}" height="{height:.1f}" fill="#417690">'
            f"<title>{month:%Y-%m}: {calls} calls</title></rect>"
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT + 14}" text-anchor="middle" '
            f'font-size="11">{month:%Y-%m}</text>'
        )
        if calls:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - height - 3:.1f}" '
                f'text-anchor="middle" font-size="10">{calls}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (built from escaped values)


def _axis(top_label: str, bottom_label: str) -> str:
    return (
        f'<line x1="{PAD}" x2="{PAD}" y1="0" y2="{HEIGHT}" stroke="#999"/>'
        f'<line x1="{PAD}" x2="{WIDTH}" y1="{HEIGHT}" y2="{HEIGHT}" stroke="#999"/>'
        f'<text x="{PAD - 3}" y="10" text-anchor="end" font-size="10">{escape(top_label)}</text>'
        f'<text x="{PAD - 3}" y="{HEIGHT}" text-anchor="end" font-size="10">'
        f"{escape(bottom_label)}</text>"
    )
