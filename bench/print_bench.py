"""Printer timings: submit() to first byte on the connection, and how long submit() blocks.

Run from the repository root: `.venv/bin/python bench/print_bench.py [--runs N]`.
Prints figures; asserts nothing (speed is measured here, never in tests).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardware.printer.connections import FileConnection  # noqa: E402
from hardware.printer.render import render_escpos  # noqa: E402
from hardware.printer import PrinterStatus, PrintService  # noqa: E402
from kiosk.config import Config, KioskSection, PrinterSection  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for part in ("file", "pty", "silent"):
            (root / part).mkdir()
        bench_render(args.runs)
        bench_file(args.runs, root / "file")
        bench_pty(args.runs, root / "pty")
        bench_submit_blocking(args.runs * 10, root / "silent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
