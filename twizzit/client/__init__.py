"""The Twizzit API v2 client: the only package of the project that speaks HTTP.

One `TwizzitClient` is one connection (base URL, account, organisation) over one
`requests.Session`. Twizzit counts every call against a tight monthly quota, so the
client spends calls as if they were money:

- It logs in with a form-urlencoded POST and reuses the token until 60 s before the
  answer's `valid-till` (not the JWT's own, longer `exp`). A `TokenStore` lets the token
  outlive the instance and the process. A 401 on a data call costs exactly one fresh
  login and one retry.
- Listings ask for the largest page each endpoint allows and stop on the first page
  shorter than that, so N records at page size P cost N // P + 1 calls. A server that
  sends the same page again raises `TwizzitPagingError` instead of looping forever.
- Connection errors, timeouts and 5xx answers are retried by urllib3's `Retry`
  (exponential backoff with jitter). A 429 is waited out when its Retry-After fits
  under a cap; "Monthly limit exceeded" is never retried.
- Every HTTP request, logins and retries included, first goes through the `UsageMeter`,
  which may refuse it before anything is sent (the monthly quota), and is counted in
  `calls_made`.
- Every failure becomes one of the `TwizzitError` classes; their messages, the logs and
  the client's repr never hold the password or the token.

Nothing here imports Django: `twizzit.connection.gateway` wires a connection row to a client (its
sealed token cache and its quota meter). See docs/client.md.

The package: `errors` (the failures), `stores` (token store and usage meter protocols),
`wire` (URLs out, answers in, secrets masked), `transport` (session, login, retries,
meter) and `api` (`TwizzitClient`: endpoints, paging, batching).
"""

from twizzit.client.api import TwizzitClient
from twizzit.client.errors import (
    TwizzitAuthError,
    TwizzitBadResponse,
    TwizzitConfigError,
    TwizzitError,
    TwizzitPagingError,
    TwizzitPermissionError,
    TwizzitQuotaError,
    TwizzitRateLimitError,
    TwizzitUnavailable,
)
from twizzit.client.stores import MemoryTokenStore, NullMeter, TokenStore, UsageMeter
from twizzit.client.transport import ReportingRetry
from twizzit.client.wire import URL_BUDGET, is_loopback_host

__all__ = [
    "URL_BUDGET",
    "MemoryTokenStore",
    "NullMeter",
    "ReportingRetry",
    "TokenStore",
    "TwizzitAuthError",
    "TwizzitBadResponse",
    "TwizzitClient",
    "TwizzitConfigError",
    "TwizzitError",
    "TwizzitPagingError",
    "TwizzitPermissionError",
    "TwizzitQuotaError",
    "TwizzitRateLimitError",
    "TwizzitUnavailable",
    "UsageMeter",
    "is_loopback_host",
]
