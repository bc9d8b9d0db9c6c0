"""E-mail addresses as people really have them: RFC 6531 (internationalised) included.

Django's `EmailValidator` refuses a UTF-8 local part ("jösé@example.be"), which is a valid
address under RFC 6531 and one a Belgian club's members do type. `EmailAddressField` is
Django's `EmailField` with a validator built on email-validator instead: the syntax of
RFC 5321/6531 (UTF-8 local part, IDN domain), no DNS lookup. The address is stored as
typed, only its surrounding spaces trimmed. Its form field is a plain text input, so a
browser's own `type=email` check (ASCII only) never stands in the way either.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from email_validator import EmailNotValidError, validate_email

INVALID = "Enter a valid email address."


def validate_email_address(value: str) -> None:
    """Raise ValidationError unless `value` is a syntactically valid address (RFC 6531)."""
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        # email-validator's own words may quote the address: keep the message plain.
        raise ValidationError(INVALID, code="invalid") from None


class EmailAddressFormField(forms.CharField):
    """A text input for one address, trimmed, checked by `validate_email_address`."""

    default_validators = [validate_email_address]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "email"}))
        kwargs.setdefault("max_length", 254)
        super().__init__(strip=True, **kwargs)


class EmailAddressField(models.EmailField):
    """`EmailField` that accepts internationalised addresses (RFC 6531)."""

    default_validators = [validate_email_address]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EmailAddressFormField, **kwargs})
