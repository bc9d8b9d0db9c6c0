"""The REST API of the integration, under /api/twizzit/.

Views translate HTTP into calls of the services (`twizzit.connections`, `twizzit.jobs`,
`twizzit.sync`, `twizzit.verify`, `twizzit.status`) and their results or exceptions back
into HTTP; no business rule lives here. One module per concern:

- `permissions`: the two roles (Twizzit admin, coach) and what each may do;
- `serializers`: request and response shapes (the password is write-only);
- `filters`: the query parameters of the lists (django-filter);
- `pagination`: `page` / `limit` paging with `total` and `has_more`;
- `errors`: one error shape, `{"detail", "code"}` (+ `errors` for invalid input);
- `schema`: the OpenAPI generator that documents those errors on every operation;
- `views`, `urls`: the endpoints.

docs/api.md is the user's guide.
"""
