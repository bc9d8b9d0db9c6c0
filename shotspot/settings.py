"""Settings for the ShotSpot ⇄ Twizzit service, read from the environment.

Every setting has an embedded default good enough for `make run` on a fresh clone
(SQLite under var/, django-q2's ORM broker, DEBUG-only generated keys). Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY and TWIZZIT_ENCRYPTION_KEY; the README lists them all.
"""

import os
from pathlib import Path

import dj_database_url

from shotspot.keys import parse_old_keys, resolve_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOTSPOT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)
SECRET_KEY, TWIZZIT_ENCRYPTION_KEY = resolve_keys(os.environ, debug=DEBUG, var_dir=VAR_DIR)
TWIZZIT_ENCRYPTION_KEYS_OLD = parse_old_keys(os.environ.get("TWIZZIT_ENCRYPTION_KEYS_OLD", ""))
TWIZZIT_RATE_LIMIT_MONTHLY = env_int("TWIZZIT_RATE_LIMIT_MONTHLY", 10_000)
# A running sync whose heartbeat has stopped for this long is presumed dead. A live run
# renews it from a heartbeat thread every third of this, whatever its page is doing.
TWIZZIT_SYNC_LEASE_SECONDS = env_int("TWIZZIT_SYNC_LEASE_SECONDS", 30)
# Games: how far back a sync reads Twizzit events (never before the current season starts).
TWIZZIT_GAMES_LOOKBACK_DAYS = env_int("TWIZZIT_GAMES_LOOKBACK_DAYS", 30)
SCHEDULER_TIMEZONE = os.environ.get("SCHEDULER_TIMEZONE", "UTC")
# Retention (GDPR): how long copies of personal data are kept, in days (0: never pruned).
# The daily clean-up and `manage.py privacy prune` apply them (docs/operations.md).
RETENTION_SYNC_LOG_DAYS = env_int("RETENTION_SYNC_LOG_DAYS", 90)
RETENTION_CONFLICT_DAYS = env_int("RETENTION_CONFLICT_DAYS", 180)
RETENTION_MAIL_DAYS = env_int("RETENTION_MAIL_DAYS", 90)
RETENTION_TASK_DAYS = env_int("RETENTION_TASK_DAYS", 30)
# Rows per pruning transaction: small, so a running sync never waits on the clean-up.
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 500)

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

# --- HTTPS (see `manage.py check --deploy`) ---------------------------------------------
# With DEBUG off the service is meant to be reached over HTTPS only: browsers are told to
# stay on HTTPS (HSTS), plain http is redirected, and cookies never travel in clear.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# Both cover this host name and the names under it only (never its parent domain); the
# preload directive merely allows submitting the name to browsers' lists by hand.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Behind a TLS-terminating proxy: the header (and value) by which it says the request came
# over HTTPS, e.g. "X-Forwarded-Proto: https". Only set it when the proxy always sets or
# strips that header, or a client could claim HTTPS on a plain connection.
_PROXY_SSL_HEADER = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _PROXY_SSL_HEADER:
    _header, _, _value = _PROXY_SSL_HEADER.partition(":")
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip() or "https",
    )
# A load balancer or container probe asks /health/ over plain http on the private network:
# answer it there instead of redirecting it to https.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

INSTALLED_APPS = [
    # Before the admin: the integration's templates/admin/index.html adds the attention panel.
    "twizzit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "shotspot",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after security: the collected static files (hashed names, gzip, a year's
    # caching) are served by the web process itself, with DEBUG off as with it on.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shotspot.urls"
WSGI_APPLICATION = "shotspot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'shotspot.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Several processes (web, qcluster workers, the sandbox) share the file: wait for
    # a lock rather than fail, and take the write lock at the start of a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not pytest's in-memory default: tests start real qcluster workers and
    # sandbox-backed processes that must open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` (bin/web, the Dockerfile) puts the files whitenoise serves.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached for a year) and a gzip copy of each; see shotspot/static_storage.py.
    "staticfiles": {"BACKEND": "shotspot.static_storage.StaticFilesStorage"},
}

# --- Background jobs (django-q2) ---------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": os.environ.get("Q_CLUSTER_NAME", "shotspot"),
    "workers": env_int("Q_CLUSTER_WORKERS", 2),
    # A full federation sync may run for many minutes; the lease, not this timeout,
    # is what detects a dead worker.
    "timeout": env_int("Q_CLUSTER_TIMEOUT", 3600),
    "retry": env_int("Q_CLUSTER_RETRY", 3700),
    "max_attempts": 1,
    "catch_up": False,
    "ack_failures": True,
    "poll": 1,
    "save_limit": 1000,
    "label": "Background jobs",
    # django-q2 computes every cron schedule's next run in this zone (default TIME_ZONE).
    "time_zone": SCHEDULER_TIMEZONE,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- E-mail: notifications to the admins (twizzit.notify; docs/operations.md) ----------
# Django's own e-mail settings, one environment variable each. Without EMAIL_BACKEND,
# debug (`make run`) prints mails on the console and production sends by SMTP.
NOTIFICATIONS_ENABLED = env_bool("NOTIFICATIONS_ENABLED", True)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds before an unanswering mail server counts as down (the mail is retried later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ShotSpot <shotspot@localhost>")
# Where the links in the mails point: the address admins open the admin at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Cache: the API's throttle counters ------------------------------------------------
# Per process by default; with several web processes set CACHE_URL (a Redis URL) so the
# throttles count every process's requests together.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "shotspot",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The workers' heartbeat: every qcluster writes its status (django-q2's Stat, a few
# seconds' lifetime) twice a second, and /health/ reads it. With REDIS_URL it lives in
# Redis (the broker); with the ORM broker it needs a cache every process shares: CACHE_URL,
# else a file cache under var/ (web and workers on one machine, as `make run` has them).
if not REDIS_URL:
    CACHES["workers"] = (
        {**CACHES["default"], "KEY_PREFIX": "shotspot-workers"}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "workers-cache"),
        }
    )
    Q_CLUSTER["cache"] = "workers"

# --- REST API (twizzit.api; see docs/api.md) ------------------------------------------
REST_FRAMEWORK = {
    # Token first: a request without credentials then gets 401 with "WWW-Authenticate:
    # Token" (with Session first, DRF would answer 403 and hide that logging in helps).
    # Session requests (admins in a browser) must carry the CSRF token to write.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "twizzit.api.schema.ApiSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "twizzit.api.pagination.PageLimitPagination",
    "EXCEPTION_HANDLER": "twizzit.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
        # Only for actions that spend Twizzit calls (tests of credentials, syncs).
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "2000/hour"),
        "anon": os.environ.get("API_THROTTLE_ANON", "100/hour"),
        "twizzit-calls": os.environ.get("API_THROTTLE_TWIZZIT_CALLS", "120/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ShotSpot ⇄ Twizzit API",
    "DESCRIPTION": (
        "Connections, syncs, sync logs, mappings and conflicts of the Twizzit sync, and "
        "ShotSpot's players, teams and seasons (read-only). Errors are "
        '{"detail", "code"} (+ "errors" per field for invalid input). See docs/api.md.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from files this project serves (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "SyncStatusEnum": "twizzit.models.SyncStatus",
        "SyncTypeEnum": "twizzit.models.SyncType",
        "ResolutionEnum": "twizzit.models.Resolution",
    },
    "TAGS": [
        {"name": "connections", "description": "Twizzit connections and their credentials."},
        {"name": "syncs", "description": "Starting, following and cancelling syncs."},
        {"name": "conflicts", "description": "Disagreements a person decides."},
        {"name": "mappings", "description": "Which Twizzit record each ShotSpot row mirrors."},
        {"name": "shotspot", "description": "ShotSpot's own data, read-only."},
    ],
}

# --- Logging: secrets never reach a log line (see twizzit.logging_filters) -----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "twizzit.logging_filters.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
