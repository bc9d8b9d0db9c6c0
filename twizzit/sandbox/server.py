"""The sandbox's HTTP server: a stdlib ThreadingHTTPServer on loopback, in a thread.

`SandboxServer` owns one `SandboxState` and serves it: `/v2/api/...` through
`twizzit.sandbox.api`, `/_sandbox/...` through `twizzit.sandbox.controls`, anything
else an HTML 404. Connections are kept alive (HTTP/1.1) and Nagle is off, so a client
reusing its session pays no connection set-up or delayed-ACK stall per page: the
sandbox must never be what a benchmark measures.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from twizzit.sandbox import api, controls
from twizzit.sandbox.state import PASSWORD, USERNAME, SandboxState

logger = logging.getLogger("twizzit.sandbox")

API_PREFIX = "/v2/api/"
CONTROL_PREFIX = "/_sandbox"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TwizzitSandbox/1.0"
    disable_nagle_algorithm = True
    timeout = 60  # an idle kept-alive connection is closed after this many seconds

    server: _HTTPServer

    def setup(self):
        super().setup()
        self.server.track(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        try:
            body = self._read_body()
            if url.path.startswith(API_PREFIX):
                if state.latency_ms:
                    time.sleep(state.latency_ms / 1000)
                endpoint = url.path[len(API_PREFIX) :].strip("/")
                response = api.handle(state, method, endpoint, url.query, self.headers, body)
            elif url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
                response = controls.handle(state, method, url.path, url.query, body)
            else:
                response = api.not_found()
        except Exception:
            logger.exception("sandbox failed on %s %s", method, url.path)
            response = api.Response.error(500, "Sandbox error")
        self._send(response)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: api.Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format, *args):
        # The request line has no secret in it (the token travels in a header, the
        # password in the body); keep it out of stderr unless someone asks for it.
        logger.debug("%s - %s", self.address_string(), format % args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state: SandboxState):
        self.state = state
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        # A client that hangs up (a test ending, a timed-out request) is routine here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            logger.debug("client %s hung up", client_address[0])
        else:
            logger.exception("sandbox request from %s failed", client_address[0])

    def track(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(connection)

    def close_connections(self) -> None:
        """Kept-alive connections outlive serve_forever(); end them with the server."""
        with self._open_lock:
            for connection in list(self._open):
                with contextlib.suppress(OSError):  # the client may have gone already
                    connection.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """A local Twizzit on loopback, with deterministic data and remote controls."""

    def __init__(
        self,
        *,
        seed: int = 1,
        contacts: int = 300,
        groups: int = 24,
        messy: bool = False,
        token_ttl: int = 1800,
        port: int = 0,
        host: str = "127.0.0.1",
        username: str = USERNAME,
        password: str = PASSWORD,
    ):
        self.state = SandboxState(
            seed=seed,
            contacts=contacts,
            groups=groups,
            messy=messy,
            token_ttl=token_ttl,
            username=username,
            password=password,
        )
        self.host, self._port = host, port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def username(self) -> str:
        return self.state.username

    @property
    def password(self) -> str:
        return self.state.password

    @property
    def organization_id(self) -> int:
        return self.state.organization_id

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self.host, self._port), self.state)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"twizzit-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __repr__(self):
        where = self.url if self._httpd else "stopped"
        return f"<SandboxServer {where} {self.state!r}>"
