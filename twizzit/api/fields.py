"""Request fields that take JSON as typed: "12" is not a number, 12 is not a name, 1 is not true.

DRF coerces by default (it was made for HTML forms, where everything is a string); a
JSON API that documents types in its schema should hold clients to them, so a client bug
shows up as a 400 naming the field instead of a quietly stringified value.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers

from twizzit.validators import format_email_list, parse_email_list


class StrictTypeMixin:
    """Refuses values whose JSON type is not one of `json_types`."""

    json_types: tuple[type, ...] = ()
    type_name = ""

    def to_internal_value(self, data):
        # bool is an int in Python, never in JSON.
        if isinstance(data, bool) != (bool in self.json_types) or not isinstance(
            data, self.json_types
        ):
            raise serializers.ValidationError(f"Must be {self.type_name}.", code="invalid")
        max_length = getattr(self, "max_length", None)
        if isinstance(data, str) and max_length is not None and len(data) > max_length:
            # Measured as sent, before surrounding spaces are trimmed, as the schema says.
            self.fail("max_length", max_length=max_length)
        return super().to_internal_value(data)


class StrictCharField(StrictTypeMixin, serializers.CharField):
    json_types = (str,)
    type_name = "a string"


class StrictURLField(StrictTypeMixin, serializers.URLField):
    json_types = (str,)
    type_name = "a URL string"


class StrictChoiceField(StrictTypeMixin, serializers.ChoiceField):
    json_types = (str,)
    type_name = "one of the listed strings"


class StrictIntegerField(StrictTypeMixin, serializers.IntegerField):
    json_types = (int,)
    type_name = "a whole number"


class StrictBooleanField(StrictTypeMixin, serializers.BooleanField):
    json_types = (bool,)
    type_name = "true or false"


MODEL_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
    models.URLField: StrictURLField,
    models.IntegerField: StrictIntegerField,
    models.PositiveIntegerField: StrictIntegerField,
    models.BigIntegerField: StrictIntegerField,
    models.BooleanField: StrictBooleanField,
}


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated fields take JSON as typed."""

    serializer_field_mapping = MODEL_FIELD_MAPPING
    serializer_choice_field = StrictChoiceField


class EmailListField(serializers.ListField):
    """A list of e-mail addresses, stored by the model as one comma-separated line."""

    child = StrictCharField(max_length=254)

    def to_representation(self, value):
        return [address for address in (value or "").split(", ") if address]

    def to_internal_value(self, data):
        addresses = super().to_internal_value(data)
        try:
            return format_email_list(parse_email_list(addresses))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
