"""The REST API of the integration, under /api/twizzit/.

Views translate HTTP into calls of the services (`twizzit.services`, `twizzit.sync`) and
their results or exceptions back into HTTP; no business rule lives here. One module per concern:

- `permissions`: the two roles (Twizzit admin, coach) and what each may do;
- `serializers`: request and response shapes (the password is write-only);
- `filters`: the query parameters of the lists (django-filter);
- `pagination`: `page` / `limit` paging with `total` and `has_more`;
- `errors`: one error shape, `{"detail", "code"}` (+ `errors` for invalid input);
- `schema`: the OpenAPI generator that documents those errors on every operation;
- `views`, `urls`: the endpoints;
- `shotspot_data`: ShotSpot's players, teams, seasons and games with the Twizzit badge,
  mounted at /api/ (ShotSpot's own app knows nothing of Twizzit, so its REST view of its
  rows lives on the integration's side, as the admin's does).

docs/api.md is the user's guide.
"""
