"""One error shape for the whole API.

Every error answers with a JSON object:

    {"detail": "<one readable sentence>", "code": "<machine code>"}

Invalid input (400) also carries the messages per field, with dotted names for nested
values (`role_overrides.12`, `values.first_name`) and `non_field_errors` for the rest:

    {"detail": "api_base_url: http://example.org must use https ...",
     "code": "invalid",
     "errors": {"api_base_url": ["http://example.org must use https ..."]}}

Services raise Django's `ValidationError` (and `ResolutionError`, its subclass); the API
turns those into the same 400. Unknown API paths and crashes answer in JSON too, so a
client never has to parse an HTML error page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"
NON_FIELD = "non_field_errors"


class ApiError(exceptions.APIException):
    """An error a view raises on purpose: its status, code, and any extra keys or headers."""

    def __init__(self, detail: str, *, status: int, code: str, headers=None, **extra):
        super().__init__(detail, code)
        self.status_code = status
        self.headers = headers or {}
        self.extra = extra


def from_django(exc: DjangoValidationError, prefix: str = "") -> exceptions.ValidationError:
    """A service's ValidationError as the API's 400, field names kept (under `prefix.`)."""
    if hasattr(exc, "error_dict"):
        detail = {}
        for name, messages in exc.message_dict.items():
            key = NON_FIELD if name == "__all__" else name
            detail[f"{prefix}.{key}" if prefix else key] = messages
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({prefix or NON_FIELD: exc.messages})


def flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub": [messages]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = NON_FIELD if key in (NON_FIELD, "__all__") and not prefix else str(key)
            flat.update(flatten(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or NON_FIELD: [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or NON_FIELD: [str(detail)]}


def summary(errors: dict[str, list[str]]) -> str:
    parts = [
        message if field == NON_FIELD else f"{field}: {message}"
        for field, messages in errors.items()
        for message in messages
    ]
    return " ".join(parts) or "Invalid input."


def exception_handler(exc, context):
    """DRF's handler, then the API's shape: detail + code (+ errors for invalid input)."""
    if isinstance(exc, DjangoValidationError):
        exc = from_django(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a crash: Django's handler500 below answers
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        response.data = {"detail": summary(errors), "code": "invalid", "errors": errors}
    elif isinstance(exc, exceptions.ParseError):  # a body that is not JSON: also a 400
        response.data = {
            "detail": str(exc.detail),
            "code": "parse_error",
            "errors": {NON_FIELD: [str(exc.detail)]},
        }
    else:
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail),
            "code": codes if isinstance(codes, str) else exc.default_code,
            **getattr(exc, "extra", {}),
        }
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    return response


def not_found(request, exception=None):
    """Django's 404 page for the site; the API's error shape under /api/."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Django's 500 page for the site; the API's error shape under /api/."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": "The server failed to answer this request.", "code": "server_error"},
            status=500,
        )
    return defaults.server_error(request)
