"""A receipt printer played on a real pseudo-terminal pair made by socat.

The kiosk opens DIR/tty0 like a USB-serial printer; this class sits on DIR/tty1, answers
DLE EOT status requests the way the test wants, and records every other byte. Used by the
serial tests and by bench/print_bench.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import serial

from hardware.printer.status import ANSWER_ONLINE, ANSWER_PAPER_OK

DLE_EOT = b"\x10\x04"
LINK_WAIT_S = 10.0


class SocatPair:
    """`socat pty,raw,echo=0,link=DIR/tty0 pty,raw,echo=0,link=DIR/tty1`, started and killed by id."""

    def __init__(self, folder: Path):
        if shutil.which("socat") is None:
            raise RuntimeError("socat is not installed (apt-get install socat)")
        self.folder = folder
        self.kiosk_side = folder / "tty0"
        self.printer_side = folder / "tty1"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={self.kiosk_side}", f"pty,raw,echo=0,link={self.printer_side}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        give_up = time.monotonic() + LINK_WAIT_S
        while not (self.kiosk_side.exists() and self.printer_side.exists()):
            if time.monotonic() > give_up or self.proc.poll() is not None:
                self.kill()
                raise RuntimeError("socat did not make its pty pair")
            time.sleep(0.01)

    def kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(LINK_WAIT_S)
        # socat killed hard leaves its links behind: remove them as an unplugged adapter would
        for link in (self.kiosk_side, self.printer_side):
            if link.is_symlink():
                link.unlink()


class PtyPrinter:
    """Plays the printer on the printer side of a SocatPair.

    mode: "ready", "paper_out", "silent" (reads, never answers), "late" (answers after
    late_s), "garbage" (answers bytes no printer sends), "deaf" (stops reading at all).
    deaf_after: once that many job bytes came in, turn "deaf" (a printer that stops taking
    bytes in the middle of a job; whatever is sent after stays in the pty's buffers).
    """

    def __init__(self, device: Path, mode: str = "ready", late_s: float = 0.0, deaf_after: int | None = None):
        self.mode = mode
        self.late_s = late_s
        self.deaf_after = deaf_after
        self.received = bytearray()       # everything but status requests
        self.status_requests = 0
        self.first_job_byte = threading.Event()
        self.on_job_bytes = None          # callable(total) run as job bytes arrive
        self._port = serial.Serial(str(device), 115200, timeout=0.02)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="pty-printer", daemon=True)
        self._thread.start()

    def job_bytes(self) -> bytes:
        with self._lock:
            return bytes(self.received)

    def _answer(self, n: int) -> bytes:
        if self.mode == "paper_out":
            return b"\x72" if n == 4 else b"\x1a"
        if self.mode == "garbage":
            return b"\xff\xfe"
        return ANSWER_PAPER_OK if n == 4 else ANSWER_ONLINE

    def _run(self) -> None:
        pending = b""
        while not self._stop.is_set():
            if self.mode == "deaf":
                time.sleep(0.02)
                continue
            want = 4096 if self.deaf_after is None else min(4096, self.deaf_after - len(self.received))
            if want <= 0:
                self.mode = "deaf"
                continue
            try:
                pending += self._port.read(want)
            except (serial.SerialException, OSError, TypeError):
                return  # the pair was killed under us
            while True:
                at = pending.find(DLE_EOT)
                if at < 0 or at + 2 >= len(pending):
                    # keep a trailing DLE / DLE EOT that may be completed by the next read
                    keep = 2 if pending.endswith(DLE_EOT) else 1 if pending.endswith(b"\x10") else 0
                    self._record(pending[:len(pending) - keep])
                    pending = pending[len(pending) - keep:]
                    break
                self._record(pending[:at])
                n = pending[at + 2]
                pending = pending[at + 3:]
                self.status_requests += 1
                if self.mode in ("silent",):
                    continue
                answer = self._answer(n)
                if self.mode == "late":
                    threading.Timer(self.late_s, self._write, (answer,)).start()
                else:
                    self._write(answer)

    def _record(self, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            self.received += data
            total = len(self.received)
        self.first_job_byte.set()
        if self.on_job_bytes is not None:
            self.on_job_bytes(total)

    def _write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except (serial.SerialException, OSError, TypeError):
            pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        try:
            self._port.close()
        except Exception:
            pass
