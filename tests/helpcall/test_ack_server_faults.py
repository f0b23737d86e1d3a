"""The acknowledgment server under faults and attacks from the LAN (issue 18), over real sockets.

It listens where the config says only, answers bad requests with a status and one log line,
cuts idle and slow clients, and keeps the conseiller's « J'arrive » working under a flood.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

import psutil
import pytest
import requests
from hc_support import WAIT_S, wait_for

from kiosk.helpcall import CallContext, CallStatus, HelpCallService

CONTEXT = CallContext("cheque-energie", "Le chèque énergie", "etape-1", "Ouvrir le site", 90.0)
FLOOD_S = 10.0
ABUSERS = 200


@pytest.fixture
def ack_service(make_config, hook, free_port):
    made = []

    def make(**helpcall):
        settings = {"webhook_url": hook.url, "ack_port": free_port, "ack_base_url": f"http://127.0.0.1:{free_port}"}
        service = HelpCallService(make_config(**{**settings, **helpcall}))
        made.append(service)
        service.start()
        return service
    yield make
    for service in made:
        service.close()


def listening_addresses(port: int) -> set[str]:
    connections = psutil.Process(os.getpid()).net_connections(kind="inet")
    return {c.laddr.ip for c in connections if c.status == psutil.CONN_LISTEN and c.laddr.port == port}


def exchange(port: int, data: bytes, timeout_s: float = WAIT_S) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def test_it_listens_on_the_ack_url_host_only_or_where_ack_bind_says(ack_service, free_port):
    """Before: every interface (0.0.0.0), whatever the link said."""
    service = ack_service()
    assert listening_addresses(free_port) == {"127.0.0.1"}
    service.close()
    ack_service(ack_bind="127.0.0.1", ack_base_url=f"http://kiosk-2.example:{free_port}")
    assert listening_addresses(free_port) == {"127.0.0.1"}


@pytest.mark.parametrize("request_bytes, status", [
    (b"POST /ack/" + b"0" * 32 + b" HTTP/1.1\r\nHost: k\r\nContent-Length: abc\r\n\r\n", 400),
    (b"POST /ack/" + b"0" * 32 + b" HTTP/1.1\r\nHost: k\r\nContent-Length: 99999999\r\n\r\n", 413),
    (b"HELLO\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n", 431),
    (b"DELETE /ack/" + b"0" * 32 + b" HTTP/1.1\r\nHost: k\r\n\r\n", 405),
])
def test_a_bad_request_gets_a_status_and_one_log_line(ack_service, free_port, caplog, capfd, request_bytes, status):
    ack_service()
    with caplog.at_level(logging.DEBUG, logger="kiosk.helpcall"):
        answer = exchange(free_port, request_bytes)
        wait_for(lambda: any(r.name == "kiosk.helpcall.ack" and r.levelno >= logging.INFO for r in caplog.records),
                 what="the log line")
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:80]
    lines = [r for r in caplog.records if r.name == "kiosk.helpcall.ack" and r.levelno >= logging.INFO
             and "served on" not in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None and "\n" not in lines[0].getMessage()
    assert "Traceback" not in capfd.readouterr().err


def test_a_dropped_connection_leaves_no_traceback(ack_service, free_port, caplog, capfd):
    ack_service()
    for partial in (b"", b"GET /ack/", b"POST /ack/" + b"0" * 32 + b" HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"):
        with socket.create_connection(("127.0.0.1", free_port), timeout=WAIT_S) as sock:
            sock.sendall(partial)
    assert exchange(free_port, b"GET /ack/" + b"0" * 32 + b" HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 404 ")
    assert "Traceback" not in capfd.readouterr().err
    assert not [r for r in caplog.records if r.name == "kiosk.helpcall.ack" and r.levelno >= logging.WARNING]


def test_a_silent_client_is_cut_after_the_client_timeout(ack_service, free_port):
    from kiosk.helpcall.ack import CLIENT_TIMEOUT_S
    ack_service()
    with socket.create_connection(("127.0.0.1", free_port), timeout=WAIT_S) as sock:
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server, not by our guard timeout
        held_s = time.monotonic() - started
    assert held_s < CLIENT_TIMEOUT_S + 1, f"a silent client held a connection {held_s:.1f} s"


class Flood:
    """ABUSERS clients from one thread: half send their headers one byte every 0.5 s, half say
    nothing; a client the server closes comes straight back."""

    def __init__(self, port: int):
        self.port = port
        self.stop = threading.Event()
        self.reconnects = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=1)
        except OSError:
            return None
        sock.setblocking(False)
        return sock

    def _alive(self, sock: socket.socket | None, slow: bool) -> bool:
        if sock is None:
            return False
        try:
            if slow:
                sock.send(b"G")
            elif sock.recv(1) == b"":
                return False
        except BlockingIOError:
            pass
        except OSError:
            return False
        return True

    def _run(self):
        socks = [self._connect() for _ in range(ABUSERS)]
        while not self.stop.wait(0.5):
            for index, sock in enumerate(socks):
                if not self._alive(sock, slow=index % 2 == 0):
                    if sock is not None:
                        sock.close()
                    socks[index] = self._connect()
                    self.reconnects += 1
        for sock in socks:
            if sock is not None:
                sock.close()


def test_under_a_flood_of_slow_and_silent_clients_the_conseiller_still_acknowledges(ack_service, free_port, hook,
                                                                                   capfd):
    """Before: one thread per connection (200 slow clients made 211 threads), none ever cut."""
    service = ack_service()
    call = service.request(CONTEXT)
    wait_for(lambda: hook.received, what="the chat message with its link")
    link = hook.received[0]["pas_a_pas"]["ack_url"]
    threads_before = threading.active_count()
    flood = Flood(free_port)
    flood.thread.start()
    most_threads = 0
    try:
        deadline = time.monotonic() + FLOOD_S
        while time.monotonic() < deadline:
            most_threads = max(most_threads, threading.active_count())
            time.sleep(0.25)  # sampling, not waiting for an event
        started = time.monotonic()
        answer = requests.post(link, timeout=5)  # while the flood goes on
        ack_s = time.monotonic() - started
    finally:
        flood.stop.set()
        flood.thread.join(WAIT_S)
    assert answer.status_code == 200 and "C'est noté" in answer.text
    assert service.get(call.id) is None or service.get(call.id).status is CallStatus.ACKNOWLEDGED
    assert ack_s < 2, f"the acknowledgement took {ack_s:.1f} s under the flood"
    # The flood's own thread is the only new one.
    assert most_threads - threads_before <= 1, f"{most_threads - threads_before} threads made by {ABUSERS} clients"
    assert flood.reconnects > 0  # slow clients were cut, and came back
    assert "Traceback" not in capfd.readouterr().err
