"""Faults and attacks on the webhook (issue 18), each with real servers on 127.0.0.1.

A redirect must not carry the call or its secrets anywhere; webhook_timeout_s is a total
deadline, even against a server that trickles; one slow call or channel delays no other.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hc_support import WAIT_S, wait_for

from kiosk.helpcall import CallContext, CallStatus, HelpCallService
from kiosk.helpcall.channels import ChannelError, WebhookChannel

CONTEXT = CallContext("caf-creer-son-compte", "Créer son compte CAF", "mot-de-passe", "Choisir un mot de passe", 60.0)
SECRET_KEY = "k3y-for-the-real-hook-only"


class Server:
    """A ThreadingHTTPServer on 127.0.0.1 whose handler the test writes; stopped at teardown."""

    def __init__(self, handler_class):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Recorder:
    """Whatever reaches it, with any method: what a redirect would leak."""

    def __init__(self):
        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append((self.command, self.path, dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _record

            def log_message(self, *args):
                pass
        self.server = Server(Handler)

    def bytes_received(self) -> int:
        return sum(len(body) + sum(len(k) + len(v) for k, v in headers.items())
                   for _, _, headers, body in self.requests)


def redirector(status: int, location: str) -> Server:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass
    return Server(Handler)


@pytest.fixture
def services():
    made = []

    def make(cfg, **kwargs):
        service = HelpCallService(cfg, **kwargs)
        made.append(service)
        return service
    yield make
    for service in made:
        service.close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_a_failure_and_nothing_reaches_the_other_host(make_config, services, fake_clock, status):
    target = Recorder()
    hook = redirector(status, f"http://127.0.0.1:{target.server.port}/elsewhere")
    try:
        cfg = make_config(webhook_url=f"http://127.0.0.1:{hook.port}/hooks/abc",
                          webhook_headers={"X-Api-Key": SECRET_KEY})
        service = services(cfg, clock=fake_clock)
        service.start()
        call = service.request(CONTEXT)
        wait_for(lambda: service.get(call.id).attempts.get("webhook") == 1
                 or service.get(call.id).status is not CallStatus.WAITING, what="the first attempt")
        state = service.get(call.id)
        assert target.requests == [], f"{target.bytes_received()} bytes reached the redirect target"
        assert state.status is CallStatus.WAITING
        assert f"HTTP {status}" in state.last_error["webhook"] and "redirect" in state.last_error["webhook"]
        with pytest.raises(ChannelError, match=f"HTTP {status}"):  # `kiosk call-test` says so too
            WebhookChannel(cfg).send_test(cfg)
        assert target.requests == []
    finally:
        hook.stop()
        target.server.stop()


class Trickle:
    """Reads the request, then answers one byte every `every_s`, for ever (until stopped)."""

    def __init__(self, every_s: float):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.every_s = every_s
        self.arrived = threading.Event()
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        with conn:
            conn.recv(65536)
            self.arrived.set()
            answer = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000_000
            for byte in answer:
                if self.stopped.wait(self.every_s):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def stop(self):
        self.stopped.set()
        self.sock.close()


def test_a_trickling_server_is_cut_at_the_deadline_with_one_log_line(make_config, services, fake_clock, caplog):
    trickle = Trickle(every_s=0.1)
    try:
        service = services(make_config(webhook_url=f"http://127.0.0.1:{trickle.port}/hooks/abc",
                                       webhook_timeout_s=1), clock=fake_clock)
        service.start()
        with caplog.at_level(logging.INFO, logger="kiosk.helpcall"):
            call = service.request(CONTEXT)
            assert trickle.arrived.wait(WAIT_S)
            started = time.monotonic()
            wait_for(lambda: service.get(call.id).attempts.get("webhook") == 1, what="the deadline")
            held_s = time.monotonic() - started
        assert held_s < 1 + 0.5, f"one attempt held {held_s:.1f} s with webhook_timeout_s = 1"
        assert service.get(call.id).last_error["webhook"] == "no answer within 1 s"
        lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert lines == [f"help call {call.number} not delivered by webhook: no answer within 1 s; next try in 2 s"]
    finally:
        trickle.stop()


class HoldFirst:
    """Holds the first call's request until released; answers every other one at once."""

    def __init__(self):
        self.release, self.first_arrived = threading.Event(), threading.Event()
        self.numbers = []
        holder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                number = body["pas_a_pas"]["number"]
                if number == 1:
                    holder.first_arrived.set()
                    holder.release.wait(WAIT_S)
                holder.numbers.append(number)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass
        self.server = Server(Handler)

    def stop(self):
        self.release.set()
        self.server.stop()


def test_a_slow_call_delays_neither_the_next_call_nor_another_channel(make_config, services):
    hook = HoldFirst()
    printed = []
    try:
        cfg = make_config(webhook_url=f"http://127.0.0.1:{hook.server.port}/hooks/abc", webhook_timeout_s=30,
                          ticket=True)
        service = services(cfg, print_ticket=printed.append)
        service.start()
        first = service.request(CONTEXT)
        assert hook.first_arrived.wait(WAIT_S)
        second = service.request(CONTEXT)
        # Within WAIT_S, far below the 30 s the first call may take.
        wait_for(lambda: service.get(second.id).status is CallStatus.DELIVERED, what="the second call delivered")
        wait_for(lambda: printed == [1, 2], what="both tickets while the webhook holds the first call")
        assert service.get(first.id).status is CallStatus.WAITING and hook.numbers == [2]
        hook.release.set()
        wait_for(lambda: service.get(first.id).status is CallStatus.DELIVERED, what="the first call delivered")
    finally:
        hook.stop()
