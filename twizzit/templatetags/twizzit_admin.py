"""Template tags of the admin: the index's "needs attention" panel."""

from django import template
from django.urls import reverse

from twizzit.admin.cockpit import conflicts_url
from twizzit.services.access import is_federation_admin
from twizzit.services.attention import PENDING_CONFLICTS, REFUSED, needs_attention

register = template.Library()


@register.inclusion_tag("admin/twizzit/attention_panel.html", takes_context=True)
def attention_panel(context):
    """Per connection, what needs a person; empty when all is well."""
    request = context.get("request")
    if request is None or not request.user.has_perm("twizzit.view_twizzitconfig"):
        return {"visible": False}
    items = []
    for item in needs_attention(request.user):
        config = item.config
        findings = []
        for finding in item.findings:
            if finding.kind == PENDING_CONFLICTS:
                url = conflicts_url(config)
            elif finding.kind == REFUSED and finding.count:
                url = reverse("admin:shotspot_player_changelist") + "?twizzit_refused=yes"
            elif finding.sync_log_id:
                url = reverse("admin:twizzit_synclog_change", args=[finding.sync_log_id])
            else:
                url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
            findings.append({"kind": finding.kind, "text": finding.text, "url": url})
        items.append(
            {
                "config": config,
                "url": reverse("admin:twizzit_twizzitconfig_change", args=[config.pk]),
                "findings": findings,
            }
        )
    federation = None
    if is_federation_admin(request.user):
        federation = reverse("admin:twizzit_twizzitconfig_federation")
    return {"visible": True, "items": items, "federation_url": federation}
