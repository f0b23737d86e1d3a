"""One JSON POST with a total deadline, that never follows a redirect.

Why not requests: it follows redirects (a 307 re-POSTs the call and its X-Api-Key to
whatever host the answer names) and its timeout bounds each read, not the attempt (a
server sending one byte a second holds a delivery for ever). Here the standard
library's http.client sends one request; a timer shuts the socket down when the
deadline passes, which ends any read or write in progress. No proxy from the
environment is used: the webhook is reached directly.

The name lookup (getaddrinfo) cannot be interrupted: a dead DNS server can hold one
attempt longer than the deadline, but only that one (each attempt has its own thread).
"""

from __future__ import annotations

import http.client
import json as json_mod
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


class DeadlinePassed(TimeoutError):
    """The attempt did not finish within its deadline."""


@dataclass(frozen=True)
class HttpAnswer:
    status_code: int
    reason: str


class _Deadline:
    """Shuts the connection's socket down once `deadline_s` has passed, whatever it is doing."""

    def __init__(self, deadline_s: float):
        self.ends_at = time.monotonic() + deadline_s
        self.passed = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(deadline_s, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def remaining_s(self) -> float:
        return max(0.001, self.ends_at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            late = self.passed
        if late:
            self._shut(sock)
            raise DeadlinePassed

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            sock = self._sock
        if sock is not None:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed

    def cancel(self) -> None:
        self._timer.cancel()


def post_json(url: str, json: dict, headers: dict[str, str], timeout: float) -> HttpAnswer:
    """POST `json` to `url`; the answer's status, or raise (OSError, HTTPException, DeadlinePassed).

    `timeout` is the whole attempt: connect, send, and read the status line and headers.
    The body of the answer is not read."""
    parts = urlsplit(url)
    body = json_mod.dumps(json, ensure_ascii=False).encode("utf-8")
    deadline = _Deadline(timeout)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.connect()
        deadline.watch(connection.sock)
        connection.sock.settimeout(deadline.remaining_s())
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body=body, headers={
            "Content-Type": "application/json", "User-Agent": "pas-a-pas", **headers,
            "Content-Length": str(len(body)), "Connection": "close"})
        response = connection.getresponse()
        return HttpAnswer(response.status, response.reason)
    except (OSError, http.client.HTTPException):
        if deadline.passed or time.monotonic() >= deadline.ends_at:
            raise DeadlinePassed from None
        raise
    finally:
        deadline.cancel()
        connection.close()
