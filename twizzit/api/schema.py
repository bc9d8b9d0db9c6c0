"""The OpenAPI generator: drf-spectacular's, plus the errors every operation can answer.

Each operation documents what it returns on success (in the views) and, here, the errors
the API's machinery can produce anywhere, all in the shape of `twizzit.api.errors`:
401 without credentials, 403 without the role, 429 when throttled, 404 for an id in the
path that does not exist or belongs to another club, 400 for input that does not validate
(a body or query parameters) and 415 for a body that is not JSON. Errors a view raises
itself (409, the quota's 429) it declares itself.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from twizzit.api.serializers import ErrorSerializer, ValidationErrorSerializer

COMMON_ERRORS = {
    "401": OpenApiResponse(ErrorSerializer, description="No credentials, or wrong ones."),
    "403": OpenApiResponse(
        ErrorSerializer, description="Your role may not do this (or a session write lacked CSRF)."
    ),
    "429": OpenApiResponse(ErrorSerializer, description="Too many requests: wait and retry."),
}
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="No such id, or one of another club's (never disclosed)."
)
INVALID = OpenApiResponse(ValidationErrorSerializer, description="Invalid input.")
NOT_JSON = OpenApiResponse(ErrorSerializer, description="The body is not application/json.")


class ApiSchema(AutoSchema):
    """AutoSchema that adds the common error responses to every operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if "{" in self.path:
            errors["404"] = NOT_FOUND
        takes_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer()
        if takes_body or self._is_list_view():
            errors["400"] = INVALID
        if takes_body:
            errors["415"] = NOT_JSON
        for code, error in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses
