"""Helpers for help-call tests: a webhook server on 127.0.0.1, socat pseudo-terminals, waiting."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

WAIT_S = 15.0  # a guard against hanging, never an assertion on speed


def wait_for(predicate, timeout_s: float = WAIT_S, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)




class Hook:
    """A webhook receiver on 127.0.0.1 whose answer the test chooses."""

    def __init__(self, port: int = 0):
        self.port = port
        self.mode = "ok"                 # ok | 500 | hold (wait for release)
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.release = threading.Event()
        self.arrived = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/abc"

    def start(self) -> Hook:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.arrived.set()
                if hook.mode == "hold":
                    hook.release.wait(WAIT_S)
                    status = 200
                else:
                    status = 500 if hook.mode == "500" else 200
                if status == 200:
                    hook.received.append(body)
                    hook.headers.append(dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"boom")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self.release.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class Socat:
    """A pseudo-terminal pair; stop() is the lamp being unplugged, start() plugging it back."""

    def __init__(self, folder: Path):
        self.kiosk_side, self.device_side = folder / "tty-kiosk", folder / "tty-device"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Socat:
        self.proc = subprocess.Popen(["socat", f"pty,raw,echo=0,link={self.kiosk_side}",
                                      f"pty,raw,echo=0,link={self.device_side}"], stderr=subprocess.DEVNULL)
        wait_for(lambda: self.kiosk_side.exists() and self.device_side.exists(), what="socat links")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=5)
            self.proc = None
        wait_for(lambda: not self.kiosk_side.exists(), what="socat links gone")


class DeviceEnd:
    """The far end of the pseudo-terminal, as the lamp's microcontroller sees it."""

    def __init__(self, path: Path):
        import serial
        self.port = serial.Serial(str(path), timeout=0.05)
        self.buffer = b""

    def lines(self) -> list[str]:
        self.buffer += self.port.read(4096)
        return [line.decode() for line in self.buffer.split(b"\n")[:-1]]

    def wait_line(self, text: str) -> None:
        wait_for(lambda: text in self.lines(), what=f"device to read {text!r}")

    def clear(self) -> None:
        self.lines()
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.port.write(data)
        self.port.flush()

    def close(self) -> None:
        self.port.close()
