"""Printer timings: submit() to first byte on the connection, and how long submit() blocks;
and printer faults in figures: a serial adapter unplugged and plugged back, a job cut short.

Run from the repository root: `.venv/bin/python bench/print_bench.py [--runs N] [--faults-only]`.
Prints figures; asserts nothing (speed is measured here, never in tests).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardware.printer import PrinterStatus, PrintService  # noqa: E402
from hardware.printer.connections import FileConnection  # noqa: E402
from hardware.printer.render import render_escpos  # noqa: E402
from kiosk.config import Config, KioskSection, PrinterSection  # noqa: E402
from kiosk.i18n import Catalog  # noqa: E402
from kiosk.receipts import build_test_receipt  # noqa: E402
from tests.hardware.pty_printer import PtyPrinter, SocatPair  # noqa: E402

WAIT_S = 30.0


def figures(label: str, samples_s: list[float], unit: str = "ms") -> None:
    scale = 1000.0 if unit == "ms" else 1e6
    ordered = sorted(samples_s)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{label:<58} median {statistics.median(ordered) * scale:8.2f} {unit}   "
          f"p95 {p95 * scale:8.2f} {unit}   max {ordered[-1] * scale:8.2f} {unit}   (n={len(ordered)})")


def receipt():
    return build_test_receipt(KioskSection(name="Borne bench", place="Atelier"), datetime(2026, 11, 22, 10, 15))


def config(data_dir: Path, **printer) -> Config:
    return Config(kiosk=KioskSection(data_dir=data_dir), printer=replace(PrinterSection(), **printer))


class TimedFile(FileConnection):
    """The file spool, noting when a job's bytes reach it."""

    def __init__(self, spool_dir: Path):
        super().__init__(spool_dir)
        self.reached = threading.Event()
        self.reached_at = 0.0

    def write(self, data, kind, deadline, clock=time.monotonic):
        self.reached_at = time.monotonic()
        self.reached.set()
        return super().write(data, kind, deadline, clock)


def bench_render(runs: int) -> None:
    r = receipt()
    start = time.perf_counter()
    render_escpos(r, PrinterSection())
    first_s = time.perf_counter() - start
    print(f"{'first render (imports python-escpos, qrcode, Pillow)':<58} {first_s * 1000:8.2f} ms")
    for native in (False, True):
        settings = replace(PrinterSection(), qr_native=native)
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            data = render_escpos(r, settings)
            samples.append(time.perf_counter() - start)
        figures(f"render test receipt, {'native' if native else 'raster'} QR ({len(data)} B)", samples)
        print(f"{'':<58} at 19200 baud that is {len(data) * 10 / 19200:.1f} s on the wire")


def bench_file(runs: int, tmp: Path) -> None:
    conn = TimedFile(tmp / "spool")
    service = PrintService(config(tmp), lambda: conn)
    try:
        samples = []
        for n in range(runs):
            conn.reached.clear()
            done = threading.Event()
            start = time.monotonic()
            service.submit(receipt(), f"file-{n}", lambda _o: done.set())
            conn.reached.wait(WAIT_S)
            samples.append(conn.reached_at - start)
            done.wait(WAIT_S)
        figures("file spool: submit() -> bytes reach the connection", samples)
    finally:
        service.close()


def bench_pty(runs: int, tmp: Path) -> None:
    pair = SocatPair(tmp)
    pair.start()
    printer = PtyPrinter(pair.printer_side)
    cfg = config(tmp, connection="serial", serial_device=str(pair.kiosk_side), serial_baudrate=115200,
                 io_timeout_s=0.5, status_poll_s=600)
    ready = threading.Event()
    service = PrintService(cfg)
    service.add_status_listener(lambda s: ready.set() if s is PrinterStatus.READY else None)
    try:
        ready.wait(WAIT_S)
        first_byte, whole = [], []
        for n in range(runs):
            printer.first_job_byte.clear()
            done = threading.Event()
            start = time.monotonic()
            service.submit(receipt(), f"pty-{n}", lambda _o: done.set())
            printer.first_job_byte.wait(WAIT_S)
            first_byte.append(time.monotonic() - start)
            done.wait(WAIT_S)
            whole.append(time.monotonic() - start)
        figures("serial pty: submit() -> first job byte at the printer", first_byte)
        figures("serial pty: submit() -> on_done (all bytes written)", whole)
    finally:
        service.close()
        printer.close()
        pair.kill()


def bench_submit_blocking(runs: int, tmp: Path) -> None:
    """A printer that never answers: the worker sits in status reads; submit must not care."""
    pair = SocatPair(tmp)
    pair.start()
    printer = PtyPrinter(pair.printer_side, "silent")
    cfg = config(tmp, connection="serial", serial_device=str(pair.kiosk_side), io_timeout_s=2.0,
                 job_timeout_s=300, status_poll_s=1)
    service = PrintService(cfg)
    try:
        while printer.status_requests == 0:  # the worker is now inside a read that gets no answer
            time.sleep(0.01)
        samples = []
        for n in range(runs):
            start = time.perf_counter()
            service.submit(receipt(), f"silent-{n}", lambda _o: None)
            samples.append(time.perf_counter() - start)
            service.cancel_pending()
        figures("submit() while the printer never answers", samples, unit="us")
    finally:
        service.close()
        printer.close()
        pair.kill()


class LevelCounter(logging.Handler):
    """Counts the hardware loggers' lines by level (what the journal would get)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.counts: dict[str, int] = {}

    def emit(self, record):
        self.counts[record.levelname] = self.counts.get(record.levelname, 0) + 1


def wait_status(service: PrintService, status: PrinterStatus, timeout_s: float) -> float | None:
    """Seconds until the service reads status, None if it never does within timeout_s."""
    start = time.monotonic()
    while service.status is not status:
        if time.monotonic() - start > timeout_s:
            return None
        time.sleep(0.05)
    return time.monotonic() - start


def print_one(service: PrintService, key: str) -> tuple[object, float]:
    done, outcome = threading.Event(), []
    start = time.monotonic()
    service.submit(receipt(), key, lambda o: (outcome.append(o), done.set()))
    done.wait(WAIT_S * 2)
    return (outcome[0] if outcome else None), time.monotonic() - start


def bench_unplugged(seconds: float, tmp: Path) -> None:
    """Default [printer] timings; a visitor prints while the adapter is out; then it comes back."""
    pair = SocatPair(tmp)
    pair.start()
    printer = PtyPrinter(pair.printer_side)
    service = PrintService(config(tmp, connection="serial", serial_device=str(pair.kiosk_side),
                                  serial_baudrate=115200))
    counter = LevelCounter()
    hardware_log = logging.getLogger("hardware")
    hardware_log.addHandler(counter)
    hardware_log.setLevel(logging.INFO)
    hardware_log.propagate = False   # counted, not printed: the figures stay readable
    try:
        wait_status(service, PrinterStatus.READY, WAIT_S)
        printer.close()
        pair.kill()
        unplugged_at = time.monotonic()
        outcome, _ = print_one(service, "unplugged")
        time.sleep(max(0.0, seconds - (time.monotonic() - unplugged_at)))
        per_minute = {level: n * 60 / seconds for level, n in sorted(counter.counts.items())}
        print(f"{'serial unplugged ' + format(seconds, 'g') + ' s: log lines per minute':<58} "
              + ", ".join(f"{level} {n:.1f}" for level, n in per_minute.items())
              + f"   (visitor's job: {outcome.message_key if outcome else 'no answer'})")
        pair.start()
        printer = PtyPrinter(pair.printer_side)
        back_s = wait_status(service, PrinterStatus.READY, WAIT_S * 2)
        outcome, _ = print_one(service, "plugged-back")
        print(f"{'serial plugged back: seconds until ready, next job':<58} "
              f"{'never' if back_s is None else format(back_s, '.1f')}   "
              f"{outcome.message_key if outcome else 'no answer'}, printer got {len(printer.job_bytes())} B")
    finally:
        hardware_log.removeHandler(counter)
        hardware_log.propagate = True
        service.close()
        printer.close()
        pair.kill()


def bench_cut_short(tmp: Path, stops_after_bytes: int = 3072) -> None:
    """A printer that stops reading (and then vanishes) after a few kB: what is the visitor told?"""
    total = len(render_escpos(receipt(), PrinterSection()))
    for vanishes in (False, True):
        pair = SocatPair(tmp)
        pair.start()
        printer = PtyPrinter(pair.printer_side, deaf_after=stops_after_bytes)
        if vanishes:
            printer.on_job_bytes = lambda n: n >= stops_after_bytes and threading.Thread(target=pair.kill).start()
        service = PrintService(config(tmp, connection="serial", serial_device=str(pair.kiosk_side),
                                      serial_baudrate=115200, status_poll_s=600))
        try:
            wait_status(service, PrinterStatus.READY, WAIT_S)
            outcome, took_s = print_one(service, "cut")
            key = outcome.message_key if outcome else "no answer"
            label = "printer stops reading, then vanishes" if vanishes else "printer stops reading mid-job"
            print(f"{label:<58} got {len(printer.job_bytes())} of {total} B; after {took_s:.2f} s: "
                  f"{key} « {Catalog()(key)} »")
        finally:
            service.close()
            printer.close()
            pair.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--unplugged-s", type=float, default=60.0, help="how long the adapter stays out")
    parser.add_argument("--faults-only", action="store_true", help="only the unplug and cut-short figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for part in ("file", "pty", "silent", "unplug", "cut"):
            (root / part).mkdir()
        if not args.faults_only:
            bench_render(args.runs)
            bench_file(args.runs, root / "file")
            bench_pty(args.runs, root / "pty")
            bench_submit_blocking(args.runs * 10, root / "silent")
        bench_cut_short(root / "cut")
        bench_unplugged(args.unplugged_s, root / "unplug")
    return 0


if __name__ == "__main__":
    sys.exit(main())
