"""The error shapes of the API, for the OpenAPI schema (`twizzit.api.errors` makes them)."""

from __future__ import annotations

from rest_framework import serializers


# --- errors (documentation of twizzit.api.errors) ---------------------------------------
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in one readable sentence.")
    code = serializers.CharField(
        help_text="A stable machine code, e.g. not_found, sync_in_progress."
    )


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (dotted for nested values; non_field_errors otherwise).",
    )


class SyncInProgressErrorSerializer(ErrorSerializer):
    sync_log = serializers.IntegerField(
        allow_null=True, help_text="The pending or running sync log that holds the connection."
    )
