"""The acknowledgment link: a conseiller taps the link in the chat message, then « J'arrive ».

A tiny HTTP server on the kiosk (off unless [helpcall] ack_port is set). The link holds
the call's id, 128 random bits, which is the only secret: whoever got the chat message
may answer the call. Opening the link (GET) only shows the page with a button; the
button (POST) acknowledges. Chat tools fetch links to show previews, and a preview
must not tell the visitor that someone is coming.

The server is reachable from the LAN, so it must hold against clients that send slowly,
send nothing, send garbage or come by the hundred. Why asyncio and not http.server: the
standard library's ThreadingHTTPServer starts one thread per connection and never times
a client out (200 slow clients made 211 threads and stayed). Here one thread serves
every connection; each has CLIENT_TIMEOUT_S for its whole exchange, at most
MAX_CONNECTIONS are open (a new one pushes out the oldest, which a real conseiller's
request, answered in milliseconds, never is), a request head is at most MAX_HEAD_BYTES,
and a bad request gets its status and one log line, never a traceback.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import socket
import threading
from http import HTTPStatus
from typing import Protocol

from kiosk.helpcall.model import HelpCall
from kiosk.i18n import t

log = logging.getLogger(__name__)

CLIENT_TIMEOUT_S = 5.0      # for a whole exchange: request head, body and our answer
MAX_CONNECTIONS = 256
MAX_HEAD_BYTES = 8192       # request line and headers
MAX_BODY_BYTES = 4096       # the form sends none; a little is read so the connection stays clean
CLOSE_TIMEOUT_S = 5.0

_ACK_PATH = re.compile(r"^/ack/([0-9a-f]{32})$")
_REQUEST_LINE = re.compile(r"^([A-Z]{1,10}) (\S{1,2048}) HTTP/1\.[01]$")

_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:sans-serif;font-size:1.3rem;margin:2rem;max-width:32rem}}
button{{font-size:1.5rem;padding:1rem 2.5rem}}</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""


class CallsToAcknowledge(Protocol):
    """What the server needs of the help-call service (kiosk.helpcall.service), and nothing more."""

    def get(self, call_id: str) -> HelpCall | None: ...

    def acknowledge(self, call_id: str) -> bool: ...


class BadRequest(Exception):
    """The client's request cannot be served: answered with `status`; the text is safe to log."""

    def __init__(self, status: HTTPStatus, reason: str):
        super().__init__(reason)
        self.status = status


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    sock = socket.create_server((host, port), family=family, backlog=128)
    sock.setblocking(False)
    return sock


class AckServer:
    def __init__(self, service: CallsToAcknowledge, port: int, host: str = "127.0.0.1", *,
                 client_timeout_s: float = CLIENT_TIMEOUT_S, max_connections: int = MAX_CONNECTIONS):
        self.service = service
        self.client_timeout_s = client_timeout_s
        self.max_connections = max_connections
        self._sock = _listening_socket(host, port)   # here, so that an OSError reaches the caller
        self.address: tuple[str, int] = self._sock.getsockname()[:2]
        self.port = self.address[1]
        self._loop = asyncio.new_event_loop()
        self._clients: dict[asyncio.Task, asyncio.StreamWriter] = {}   # oldest first
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="helpcall-ack", daemon=True)
        self._thread.start()
        ready.wait(CLOSE_TIMEOUT_S)
        log.info("acknowledgment links served on %s port %d", self.address[0], self.port)

    def close(self) -> None:
        if self._thread is not None:
            if self._stopping is not None:
                self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(timeout=CLOSE_TIMEOUT_S)
            self._thread = None
        if not self._loop.is_running():
            self._loop.close()
        self._sock.close()

    # ----- the event loop's thread -----------------------------------------------------------
    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve(ready))
        finally:
            ready.set()

    async def _serve(self, ready: threading.Event) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._client, sock=self._sock, limit=MAX_HEAD_BYTES)
        ready.set()
        async with server:
            await self._stopping.wait()
            server.close()
            for task in list(self._clients):
                task.cancel()
            await asyncio.gather(*self._clients, return_exceptions=True)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._clients) >= self.max_connections:
            oldest = next(iter(self._clients))
            log.debug("ack server: %d connections open; the oldest is closed", len(self._clients))
            oldest.cancel()
        self._clients[task] = writer
        try:
            await asyncio.wait_for(self._exchange(reader, writer), self.client_timeout_s)
        except asyncio.TimeoutError:
            log.debug("ack server: a client took more than %g s; disconnected", self.client_timeout_s)
        except (ConnectionError, asyncio.IncompleteReadError):
            log.debug("ack server: a client left before its answer")
        except asyncio.CancelledError:
            pass  # pushed out by a newer connection, or the server stops
        finally:
            del self._clients[task]
            writer.transport.abort()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("?",)
        try:
            method, path = await _read_request(reader)
            status, title, body = self._answer(method, path)
        except BadRequest as bad:
            log.warning("ack server: bad request from %s (%s); answered %d", peer[0], bad, bad.status)
            status, title, body = bad.status, bad.status.phrase, ""
        log.debug("ack server: %s", int(status))  # the path holds the call's secret id: never logged
        writer.write(_response(status, title, body))
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    def _answer(self, method: str, path: str) -> tuple[HTTPStatus, str, str]:
        if method not in ("GET", "POST"):
            raise BadRequest(HTTPStatus.METHOD_NOT_ALLOWED, f"method {method}")
        match = _ACK_PATH.match(path)
        call = self.service.get(match.group(1)) if match else None
        if call is None or not call.active:
            return HTTPStatus.NOT_FOUND, t("helpcall.ack_gone"), ""
        title = t("helpcall.ack_page_title", number=call.number)
        if method == "GET":
            form = (f'<p>{html.escape(t("helpcall.ack_page_question"), quote=False)}</p>'
                    f'<form method="post" action="/ack/{call.id}">'
                    f'<button type="submit">{html.escape(t("helpcall.ack_button"), quote=False)}</button></form>')
            return HTTPStatus.OK, title, form
        if not self.service.acknowledge(call.id):
            return HTTPStatus.NOT_FOUND, t("helpcall.ack_gone"), ""
        return HTTPStatus.OK, title, f'<p>{html.escape(t("helpcall.ack_done"), quote=False)}</p>'


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    """(method, path) of one request, its body read and dropped; BadRequest when it is not one."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, f"head over {MAX_HEAD_BYTES} bytes") from None
    lines = head.decode("latin-1").split("\r\n")
    match = _REQUEST_LINE.match(lines[0])
    if match is None:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "not an HTTP/1 request line")
    headers = {}
    for line in lines[1:]:
        if line:
            name, colon, value = line.partition(":")
            if not colon:
                raise BadRequest(HTTPStatus.BAD_REQUEST, "a header line without a colon")
            headers[name.strip().lower()] = value.strip()
    length_text = headers.get("content-length", "0")
    if not length_text.isdigit():
        raise BadRequest(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
    if int(length_text) > MAX_BODY_BYTES:
        raise BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY_BYTES} bytes")
    if "transfer-encoding" in headers:
        raise BadRequest(HTTPStatus.NOT_IMPLEMENTED, "Transfer-Encoding is not accepted")
    if int(length_text):
        await reader.readexactly(int(length_text))
    return match.group(1), match.group(2).split("?", 1)[0]


def _response(status: HTTPStatus, title: str, body: str) -> bytes:
    page = _PAGE.format(title=html.escape(title, quote=False), body=body).encode("utf-8")
    head = (f"HTTP/1.1 {int(status)} {status.phrase}\r\n"
            "Server: pas-a-pas\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(page)}\r\n"
            "Cache-Control: no-store\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "X-Robots-Tag: noindex\r\n"
            "Connection: close\r\n\r\n")
    return head.encode("ascii") + page
