"""The receipt printer as the app sees it: submit a receipt, hear back once, never wait.

PrintService owns one worker thread and a small bounded queue. submit() only takes a
lock and returns: rendering, status reads and writes all run on the worker, each with a
time limit. A job that cannot print within [printer] job_timeout_s is dropped and its
caller told so; it is never printed later, when another visitor may be standing there.
cancel_pending() (called at each reset) drops every job not yet being sent.

A job is reported done ("print.done", « imprimé ») only once its bytes have left the kiosk
(the connection's write drains them) and, where the printer answers status, once it has
answered a status request sent behind the job, with no fault: a printer that stopped
reading, vanished or ran out of paper half-way is not reported printed.

Status is a small state machine (READY, PAPER_LOW, PAPER_OUT, OFFLINE, UNKNOWN) fed by
reads before each job and by a slow poll while idle, so a paper refill or a power-on is
seen without a visitor having to try first. No answer is UNKNOWN, never "paper OK".
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from hardware.printer.connections import Connection, PrinterIOError, PrinterTimeout, make_connection
from hardware.printer.render import render_escpos
from hardware.printer.status import PrinterStatus
from kiosk.config import Config
from kiosk.receipts import Receipt

log = logging.getLogger(__name__)

QUEUE_SIZE = 4              # a kiosk has one visitor; more waiting jobs means the printer is stuck
RETRY_PAUSE_S = 0.5         # between status reads while a job waits for the printer to come back
NOT_READY_POLL_S = 5.0      # poll faster while the printer is not ready, to see it come back
CLOSE_GRACE_S = 1.0
# The rendering libraries are imported this long after start (~0.3 s of CPU, holding the
# GIL): after the kiosk's first frames, not during them (bench/startup.py).
WARM_UP_DELAY_S = 3.0

DONE, CANCELLED = "print.done", "print.cancelled"
OFFLINE, TIMEOUT, FAILED = "print.offline", "print.timeout", "print.failed"
PAPER_OUT, UNAVAILABLE, BUSY, ALREADY = "print.paper_out", "print.unavailable", "print.busy", "print.already"
UNCONFIRMED = "print.unconfirmed"   # sent, but the printer never said it took it all


@dataclass(frozen=True)
class PrintOutcome:
    job_key: str
    ok: bool
    message_key: str | None  # translation key telling the visitor what happened


@dataclass(eq=False)
class _Job:
    key: str
    receipt: Receipt | None
    on_done: Callable[[PrintOutcome], None]
    submitted_at: float
    sending: bool = False    # bytes are on their way: too late to cancel
    settled: bool = False    # on_done has been claimed (exactly once)


StatusListener = Callable[[PrinterStatus], None]


class PrintService:
    def __init__(self, cfg: Config, connection_factory: Callable[[], Connection] | None = None,
                 clock: Callable[[], float] = time.monotonic, queue_size: int = QUEUE_SIZE):
        self._cfg = cfg
        self._settings = cfg.printer
        self._factory = connection_factory or (lambda: make_connection(cfg))
        self._clock = clock
        self._queue_size = queue_size
        self._cond = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._current: _Job | None = None
        self._keys: set[str] = set()          # queued, being printed, or printed for this visitor
        # Calls the worker makes for others: (fn, argument), or (fn, None) for fn().
        self._notices: list[tuple[Callable, object]] = []
        self._listeners: list[StatusListener] = []
        self._closed = False
        self._conn: Connection | None = None
        self._status_fault: str | None = None    # the unexpected error the last status read raised
        self.last_refusal_key: str | None = None
        # The spool is a file on disk: what a visitor typed must not land there unencrypted.
        self._redact = self._settings.connection == "file"
        self._enabled = self._settings.connection != "none"
        self._status = PrinterStatus.UNKNOWN if self._enabled else PrinterStatus.OFFLINE
        self._worker: threading.Thread | None = None
        if self._enabled:
            self._worker = threading.Thread(target=self._run, name="printer", daemon=True)
            self._worker.start()

    # ----- what the app calls (any thread, never blocks on I/O) -------------------------
    @property
    def status(self) -> PrinterStatus:
        return self._status

    @property
    def pending_count(self) -> int:
        """Jobs not yet being sent (0 after cancel_pending: nothing will print later)."""
        with self._cond:
            current = self._current
            waiting = current is not None and not current.sending and not current.settled
            return len(self._queue) + (1 if waiting else 0)

    def add_status_listener(self, fn: StatusListener) -> None:
        """fn(status) is called from the worker thread with the current status, then at each change."""
        if not self._enabled:
            return  # no printer: the status is OFFLINE for good and never changes
        with self._cond:
            self._listeners.append(fn)
            # Read when delivered (on the worker, in order with changes), not now: a change
            # racing with this call is then never announced out of order.
            self._notices.append((lambda: fn(self._status), None))
            self._cond.notify_all()

    def submit(self, receipt: Receipt, job_key: str, on_done: Callable[[PrintOutcome], None]) -> bool:
        """Queue a receipt; False (and on_done never called) when refused, see last_refusal_key."""
        with self._cond:
            refusal = self._refusal(job_key)
            self.last_refusal_key = refusal
            if refusal:
                log.info("print job refused: %s", refusal)
                return False
            self._queue.append(_Job(job_key, receipt, on_done, self._clock()))
            self._keys.add(job_key)
            self._cond.notify_all()
        return True

    def _refusal(self, job_key: str) -> str | None:
        if not self._enabled or self._closed:
            return UNAVAILABLE
        if job_key in self._keys:
            return ALREADY
        if self._status is PrinterStatus.PAPER_OUT:
            return PAPER_OUT
        if len(self._queue) >= self._queue_size:
            return BUSY
        return None

    def cancel_pending(self) -> int:
        """Drop every job not yet sent (at reset: never print later for another visitor).

        Their on_done still comes, once, from the worker thread, with "print.cancelled".
        """
        with self._cond:
            dropped = self._drop_pending_locked()
            # A new visitor starts: a job key reused later is not a double tap.
            self._keys.clear()
            self._cond.notify_all()
        if dropped:
            log.info("print: %d pending job(s) cancelled", dropped)
        return dropped

    def _drop_pending_locked(self) -> int:
        jobs = list(self._queue)
        self._queue.clear()
        current = self._current
        if current is not None and not current.sending and not current.settled:
            jobs.append(current)
        for job in jobs:
            job.settled = True
            job.receipt = None
            self._notices.append((job.on_done, PrintOutcome(job.key, False, CANCELLED)))
        return len(jobs)

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._drop_pending_locked()
            self._cond.notify_all()
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(self._settings.io_timeout_s * 2 + CLOSE_GRACE_S)
            if worker.is_alive():
                log.warning("printer worker still busy with the device at close; left to finish on its own")

    # ----- the worker -------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._conn = self._factory()
        except Exception as e:
            log.error("printer connection could not be made: %s: %s", type(e).__name__, e)
        self._refresh_status()
        warm_at = time.monotonic() + WARM_UP_DELAY_S  # real time: self._clock may be a test's
        next_poll = self._clock() + self._poll_interval_s()
        while True:
            with self._cond:
                while not (self._closed or self._queue or self._notices):
                    wait_s = next_poll - self._clock()
                    if warm_at is not None:
                        wait_s = min(wait_s, warm_at - time.monotonic())
                    if wait_s <= 0:
                        break
                    self._cond.wait(wait_s)
                notices, self._notices = self._notices, []
                job = self._queue.popleft() if self._queue and not self._closed else None
                self._current = job
                closing = self._closed
            for fn, argument in notices:
                self._deliver(fn, argument)
            if closing:
                break
            if job is not None:
                warm_at = None  # rendering imported what it needs
                try:
                    self._do_job(job)
                finally:
                    with self._cond:
                        self._current = None
            elif warm_at is not None and time.monotonic() >= warm_at:
                warm_at = None
                self._warm_up()
            elif self._clock() >= next_poll:
                self._refresh_status()
                next_poll = self._clock() + self._poll_interval_s()
        if self._conn is not None:
            self._conn.close()

    @staticmethod
    def _warm_up() -> None:
        """Import the rendering libraries now (~0.2 s), here, so the first visitor's print does not wait."""
        try:
            import escpos.printer  # noqa: F401
            import qrcode  # noqa: F401
        except ImportError as e:  # reported by the first job's render, which fails plainly
            log.error("receipt rendering libraries missing: %s", e)

    def _poll_interval_s(self) -> float:
        poll_s = self._settings.status_poll_s
        return poll_s if self._status is PrinterStatus.READY else min(poll_s, NOT_READY_POLL_S)

    def _read_status(self) -> PrinterStatus:
        conn = self._conn
        if conn is None:
            return PrinterStatus.OFFLINE
        if conn.can_read_status and not self._settings.status_reads:
            return PrinterStatus.READY  # the technician said this printer cannot answer
        try:
            status = conn.read_status(self._settings.io_timeout_s)
        except Exception as e:  # a connection bug must not kill the worker, nor flood the journal
            fault = type(e).__name__
            if fault != self._status_fault:
                log.error("printer status read failed: %s (said once; the connection is reopened)", fault)
            self._status_fault = fault
            conn.close()
            return PrinterStatus.UNKNOWN
        self._status_fault = None
        return status

    def _refresh_status(self) -> PrinterStatus:
        status = self._read_status()
        self._set_status(status)
        return status

    def _set_status(self, status: PrinterStatus) -> None:
        with self._cond:
            old, self._status = self._status, status
            listeners = list(self._listeners)
        if old is status:
            return
        if status in (PrinterStatus.PAPER_OUT, PrinterStatus.PAPER_LOW, PrinterStatus.OFFLINE):
            # For conseillers, from the journal: what to do at the printer.
            advice = {PrinterStatus.PAPER_OUT: "put in a new paper roll; printing is refused until then",
                      PrinterStatus.PAPER_LOW: "paper roll nearly empty; have a new one ready",
                      PrinterStatus.OFFLINE: "check power, cable and cover"}[status]
            log.warning("printer %s -> %s: %s", old.value, status.value, advice)
        else:
            log.info("printer %s -> %s", old.value, status.value)
        for fn in listeners:
            try:
                fn(status)
            except Exception:
                log.exception("printer status listener failed")

    def _do_job(self, job: _Job) -> None:
        deadline = job.submitted_at + self._settings.job_timeout_s
        if self._clock() >= deadline:
            self._settle(job, False, TIMEOUT)
            return
        receipt = job.receipt
        if receipt is None:  # cancelled meanwhile
            return
        try:
            data = render_escpos(receipt, self._settings, redact=self._redact)
        except Exception as e:  # never let one bad receipt stop the printer
            log.error("receipt could not be rendered: %s", type(e).__name__)
            self._settle(job, False, FAILED)
            return
        kind = receipt.kind
        job.receipt = receipt = None
        if not self._wait_until_printable(job, deadline):
            return
        with self._cond:
            if job.settled or self._closed:
                return
            job.sending = True
        self._send_job(job, data, kind, deadline)

    def _send_job(self, job: _Job, data: bytes, kind: str, deadline: float) -> None:
        """Write the bytes, then settle: DONE only once the printer took them all and reports no fault."""
        conn = self._conn
        try:
            conn.write(data, kind, deadline, self._clock)
            # The bytes have drained: a printer still reading answers within one read's time.
            answer = conn.confirm_received(self._settings.io_timeout_s) if self._settings.status_reads else None
        except PrinterTimeout as e:
            log.warning("print job dropped: %s", e)
            self._settle(job, False, TIMEOUT)
            self._set_status(PrinterStatus.UNKNOWN)
            return
        except PrinterIOError as e:
            log.warning("print job failed: %s", e)
            self._settle(job, False, FAILED)
            self._set_status(PrinterStatus.OFFLINE)
            return
        except Exception as e:
            log.error("print job failed: %s", type(e).__name__)
            conn.close()  # whatever state it is in, the next job starts from a fresh open
            self._settle(job, False, FAILED)
            return
        if answer is not None:
            self._set_status(answer)
        if answer is None or answer.can_print:
            log.info("print job done: %s, %d bytes", kind, len(data))
            self._settle(job, True, DONE)
        elif answer is PrinterStatus.PAPER_OUT:
            log.warning("print job ran out of paper: %s, %d bytes sent", kind, len(data))
            self._settle(job, False, PAPER_OUT)
        else:
            # Silence or a fault after the job: the bytes may sit in a buffer the printer no longer reads.
            log.warning("print job not confirmed: %s, %d bytes sent, then the printer was %s",
                        kind, len(data), answer.value)
            self._settle(job, False, UNCONFIRMED)

    def _wait_until_printable(self, job: _Job, deadline: float) -> bool:
        """Read status until the printer can print; False (job settled) when it cannot in time."""
        while True:
            if self._conn is None:
                self._settle(job, False, OFFLINE)
                return False
            status = self._refresh_status()
            if status.can_print:
                return True
            if status is PrinterStatus.PAPER_OUT:
                self._settle(job, False, PAPER_OUT)
                return False
            if self._clock() + RETRY_PAUSE_S >= deadline:
                log.warning("print job dropped: printer %s until the job's time limit", status.value)
                self._settle(job, False, OFFLINE)
                return False
            with self._cond:
                if job.settled or self._closed:
                    return False
                self._cond.wait(RETRY_PAUSE_S)
                if job.settled or self._closed:
                    return False

    def _settle(self, job: _Job, ok: bool, message_key: str) -> None:
        with self._cond:
            if job.settled:
                return
            job.settled = True
            job.receipt = None
            if not ok:
                self._keys.discard(job.key)  # the visitor may try again
        self._deliver(job.on_done, PrintOutcome(job.key, ok, message_key))

    @staticmethod
    def _deliver(fn: Callable, argument: object) -> None:
        try:
            fn() if argument is None else fn(argument)
        except Exception:
            log.exception("printer callback failed")
