"""Paging of every list: `?page=2&limit=50`, answered with where the client stands.

    {"total": 212, "page": 2, "limit": 50, "has_more": true, "results": [...]}

`page` starts at 1; `limit` is 1 to 200 (50 when left out). A page past the end is an
empty `results` with the right `total`, not an error; a `page` or `limit` that is not a
number in range is a 400. A list costs two queries whatever its size: one count, one page.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageQuery(serializers.Serializer):
    """The paging query parameters, validated like any other input."""

    page = serializers.IntegerField(min_value=1, default=1)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class PageLimitPagination(BasePagination):
    """`page` and `limit` query parameters; `total`, `page`, `limit`, `has_more` in the answer."""

    def paginate_queryset(self, queryset, request, view=None):
        # A plain dict, not the QueryDict: DRF reads an empty "?page=" from a QueryDict as
        # "not given"; here it is the error it looks like.
        given = {
            name: request.query_params[name]
            for name in PageQuery().fields
            if name in request.query_params
        }
        query = PageQuery(data=given)
        query.is_valid(raise_exception=True)
        self.page = query.validated_data["page"]
        self.limit = query.validated_data["limit"]
        self.total = queryset.count()
        offset = (self.page - 1) * self.limit
        # Past the end no query is needed (and a huge offset never reaches the database).
        rows = list(queryset[offset : offset + self.limit]) if offset < self.total else []
        self.has_more = offset + len(rows) < self.total
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "total": self.total,
                "page": self.page,
                "limit": self.limit,
                "has_more": self.has_more,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["total", "page", "limit", "has_more", "results"],
            "properties": {
                "total": {"type": "integer", "minimum": 0, "description": "Rows matching."},
                "page": {"type": "integer", "minimum": 1},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                "has_more": {"type": "boolean", "description": "A next page has rows."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_LIMIT}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
        ]
