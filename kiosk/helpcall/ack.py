"""The acknowledgment link: a conseiller taps the link in the chat message, then « J'arrive ».

A tiny HTTP server on the kiosk (off unless [helpcall] ack_port is set). The link holds
the call's id, 128 random bits, which is the only secret: whoever got the chat message
may answer the call. Opening the link (GET) only shows the page with a button; the
button (POST) acknowledges. Chat tools fetch links to show previews, and a preview
must not tell the visitor that someone is coming.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from kiosk.helpcall.model import HelpCall
from kiosk.i18n import t

log = logging.getLogger(__name__)

_ACK_PATH = re.compile(r"^/ack/([0-9a-f]{32})$")

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


class AckServer:
    def __init__(self, service: CallsToAcknowledge, port: int, host: str = ""):
        self.service = service
        handler = _make_handler(service)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="helpcall-ack", daemon=True)
        self._thread.start()
        log.info("acknowledgment links served on port %d", self.port)

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()


def _make_handler(service: CallsToAcknowledge):
    class Handler(BaseHTTPRequestHandler):
        server_version = "pas-a-pas"
        sys_version = ""

        def _reply(self, status: int, title: str, body: str) -> None:
            data = _PAGE.format(title=html.escape(title, quote=False), body=body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("X-Robots-Tag", "noindex")
            self.end_headers()
            self.wfile.write(data)

        def _call(self):
            match = _ACK_PATH.match(self.path)
            call = service.get(match.group(1)) if match else None
            if call is None or not call.active:
                self._reply(404, t("helpcall.ack_gone"), "")
                return None
            return call

        def do_GET(self):
            call = self._call()
            if call is not None:
                form = (f'<p>{html.escape(t("helpcall.ack_page_question"), quote=False)}</p>'
                        f'<form method="post" action="/ack/{call.id}">'
                        f'<button type="submit">{html.escape(t("helpcall.ack_button"), quote=False)}</button></form>')
                self._reply(200, t("helpcall.ack_page_title", number=call.number), form)

        def do_POST(self):
            # The form sends no body we need; read what came so the connection stays clean.
            length = int(self.headers.get("Content-Length") or 0)
            if 0 < length <= 4096:
                self.rfile.read(length)
            call = self._call()
            if call is not None and service.acknowledge(call.id):
                self._reply(200, t("helpcall.ack_page_title", number=call.number),
                            f'<p>{html.escape(t("helpcall.ack_done"), quote=False)}</p>')
            elif call is not None:
                self._reply(404, t("helpcall.ack_gone"), "")

        def log_message(self, fmt, *args):
            # The path holds the call's secret id: log the method and status only.
            log.debug("ack server: %s", args[1] if len(args) > 1 else "")

    return Handler
