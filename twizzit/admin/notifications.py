"""What was mailed to the admins (twizzit.notify): read-only, like every record of a run."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from twizzit.admin.runs import ReadOnlyAdmin
from twizzit.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "config", "status", "recipients", "attempts", "sent_at"]
    list_filter = ["status", "kind", "config"]
    list_select_related = ["config"]
    search_fields = ["subject", "recipients"]
    date_hierarchy = "created_at"
    readonly_fields = ["run"]
    fieldsets = [
        (None, {"fields": ["kind", "config", "run", "key", "created_at"]}),
        ("Mail", {"fields": ["recipients", "subject", "body_text"]}),
        (
            "Delivery",
            {"fields": ["status", "attempts", "sent_at", "next_attempt_at", "last_error"]},
        ),
    ]

    @admin.display(description="Run")
    def run(self, notification):
        if notification.sync_log_id is None:
            return "—"
        url = reverse("admin:twizzit_synclog_change", args=[notification.sync_log_id])
        return format_html('<a href="{}">Sync #{}</a>', url, notification.sync_log_id)
