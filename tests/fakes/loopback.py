"""A loopback HTTP server in a daemon thread, shared by the fakes (SageMaker, CloudFormation)."""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

__all__ = ["HttpReply", "HttpRequest", "LoopbackServer", "LoopbackService", "Responder"]


@dataclasses.dataclass(frozen=True)
class HttpRequest:
    """One HTTP request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass(frozen=True)
class HttpReply:
    """One HTTP answer."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


# A responder answers a request, or returns None to close the connection without an answer.
Responder = Callable[[HttpRequest], HttpReply | None]


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the responder; quiet, HTTP/1.0 (one request per connection)."""

    def __init__(self, responder: Responder, *args: Any) -> None:
        self._responder = responder
        super().__init__(*args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = HttpRequest(
            method=self.command,
            path=self.path,
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        try:
            reply = self._responder(request)
        except Exception as error:  # noqa: BLE001 (a fake must answer, not crash its thread)
            reply = HttpReply(500, f"fake server error: {error!r}".encode())
        if reply is None:
            return
        try:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (e.g. its read timeout during a slow answer)

    do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 (http.server's names)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read state, not logs."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore connections the client dropped."""


class LoopbackServer:
    """An HTTP server on 127.0.0.1 (free port) in a daemon thread, answering with a responder."""

    def __init__(self, responder: Responder) -> None:
        self._responder = responder
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (only while running)."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        """Bind a free port and serve in the background."""
        if self._server is not None or self.stopping.is_set():
            raise RuntimeError("the server is already started (or stopped: use a new one)")
        self._server = _QuietServer(("127.0.0.1", 0), functools.partial(_Handler, self._responder))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Release waiting (hung or slow) answers, stop serving and close the port."""
        self.stopping.set()
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None


class LoopbackService:
    """Base of the fakes: a ``LoopbackServer`` answering with ``_respond``, usable as a context."""

    def __init__(self) -> None:
        self._server = LoopbackServer(self._respond)

    def _respond(self, request: HttpRequest) -> HttpReply | None:
        raise NotImplementedError

    def start(self) -> Self:
        """Start serving on a free loopback port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving; hung and slow answers are released at once."""
        self._server.stop()

    def __enter__(self) -> Self:
        """Start."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        self.stop()
