"""Printer test helpers: configs pointing at temp folders, outcome collectors, fake connections."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from hardware.printer import PrintService
from hardware.printer.connections import Connection, PrinterIOError, PrinterTimeout, StreamConnection
from hardware.printer.status import ANSWER_ONLINE, ANSWER_PAPER_OK, DLE_EOT_PAPER
from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.receipts import build_test_receipt

WAIT_S = 10.0  # upper bound for an event that must happen; never a speed assertion


def wait_until(predicate, timeout_s: float = WAIT_S) -> None:
    """Wait for something another thread or process does; fail if it never happens."""
    pause = threading.Event()
    give_up = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > give_up:
            raise AssertionError("condition never became true")
        pause.wait(0.02)


def make_config(tmp_path: Path, **printer) -> Config:
    return Config(kiosk=KioskSection(data_dir=tmp_path, name="Borne test", place="Mairie"),
                  printer=replace(PrinterSection(), **printer))


def sample_receipt():
    return build_test_receipt(KioskSection(name="Borne test", place="Mairie"), datetime(2026, 11, 22, 10, 15))


class Outcomes:
    """Collects on_done calls with the thread they came from."""

    def __init__(self):
        self.calls = []
        self._cond = threading.Condition()

    def __call__(self, outcome):
        with self._cond:
            self.calls.append((outcome, threading.current_thread().name))
            self._cond.notify_all()

    def wait(self, count: int = 1, timeout_s: float = WAIT_S):
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.calls) >= count, timeout_s), \
                f"only {len(self.calls)} of {count} on_done calls"
        return [o for o, _ in self.calls]


class FakeStream(StreamConnection):
    """A printer on a byte stream whose faults a test scripts; records everything it got.

    answers: what each DLE EOT request gets (bytes, b"" for silence); a callable may block
    on an event to play a slow printer. fail_open / fail_write inject errors.
    """

    name = "fake stream"

    def __init__(self, paper=ANSWER_PAPER_OK, printer=ANSWER_ONLINE):
        super().__init__(io_timeout_s=0.2)
        self.paper, self.printer = paper, printer
        self.fail_open: str | None = None
        self.write_fault = None      # None | "timeout" | "io" | callable(chunk) run before each chunk
        self.received = bytearray()
        self.jobs_started = 0
        self.queries = []
        self.opened = 0
        self.closed = 0
        self.query_gate: threading.Event | None = None   # status reads wait on it when set
        self.query_entered = threading.Event()

    def _open(self):
        if self.fail_open:
            raise PrinterIOError(self.fail_open)
        self.opened += 1

    def _send(self, chunk):
        if callable(self.write_fault):
            self.write_fault(chunk)
        elif self.write_fault == "timeout":
            raise PrinterTimeout("fake: write took too long")
        elif self.write_fault == "io":
            raise PrinterIOError("fake: device gone")
        self.received += chunk

    def write(self, data, kind, deadline, clock=time.monotonic):
        self.jobs_started += 1
        return super().write(data, kind, deadline, clock)

    def _query(self, request, timeout_s):
        self.queries.append(request)
        self.query_entered.set()
        if self.query_gate is not None:
            self.query_gate.wait(WAIT_S)
        answer = self.paper if request == DLE_EOT_PAPER else self.printer
        return answer() if callable(answer) else answer

    def _close(self):
        self.closed += 1


@pytest.fixture
def outcomes():
    return Outcomes()


@pytest.fixture
def services():
    """PrintServices made in a test, closed at its end even when it fails."""
    made = []

    def make(cfg, factory=None, **kw):
        service = PrintService(cfg, factory, **kw)
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


class RecordingConnection(Connection):
    """Local connection (no status reads) that records jobs; for queue behaviour tests."""

    name = "recording"

    def __init__(self, status):
        self.status = status
        self.jobs = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def read_status(self, timeout_s):
        return self.status

    def write(self, data, kind, deadline, clock=None):
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(WAIT_S)
        self.jobs.append(data)
