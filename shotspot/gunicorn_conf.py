"""gunicorn's settings for `bin/web`, from the environment (README, docs/deploy.md).

    PORT                  8000        where gunicorn listens (all interfaces: BIND overrides)
    WEB_CONCURRENCY       2           worker processes; about 2 per CPU core
    WEB_THREADS           4           threads per worker process (requests waiting on I/O)
    WEB_TIMEOUT           60          seconds a request may take before its worker restarts
    FORWARDED_ALLOW_IPS   127.0.0.1   the proxies whose X-Forwarded-* headers are believed
                                      (the proxy's address, or * inside a private network)

A request that spends Twizzit calls (Test connection) waits on Twizzit, so threads keep
the other requests moving; syncs never run in the web process (the workers run them).
"""

import os

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Behind a TLS-terminating proxy: believe its X-Forwarded-Proto/-For only from these
# addresses (Django's SECURE_PROXY_SSL_HEADER is the settings' side of the same trust).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs to stdout/stderr: the container runtime or journald keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# A restart now and then returns whatever memory a long-lived worker gathered.
max_requests = 2000
max_requests_jitter = 200
