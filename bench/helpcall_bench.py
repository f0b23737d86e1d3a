"""Figures for help calls: what request() costs the UI thread, how long a call takes to
reach a webhook on loopback, what one outbox write costs, and how fast the lamp lights
over a socat pseudo-terminal. Run: .venv/bin/python bench/helpcall_bench.py"""

import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kiosk.config import Config, HelpCallSection, KioskSection
from kiosk.helpcall import CallContext, CallStatus, HelpCallService
from kiosk.helpcall.outbox import Outbox

CONTEXT = CallContext("caf-creer-son-compte", "Créer son compte CAF", "mot-de-passe", "Choisir un mot de passe", 300.0)


def show(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{label:<52} median {statistics.median(samples) * 1e3:8.3f} ms   "
          f"p95 {p95 * 1e3:8.3f} ms   max {max(samples) * 1e3:8.3f} ms   (n={len(samples)})")


def hook_server(delay_s: float):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(delay_s)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def config(data: Path, **helpcall) -> Config:
    return Config(kiosk=replace(KioskSection(), data_dir=data), helpcall=replace(HelpCallSection(), **helpcall))


def bench_request_and_delivery(data: Path, delay_s: float, n: int) -> None:
    server = hook_server(delay_s)
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    service = HelpCallService(config(data, webhook_url=url, webhook_timeout_s=5))
    delivered: dict[str, float] = {}
    done = threading.Event()
    service.add_listener(lambda c: (delivered.setdefault(c.id, time.perf_counter()),
                                    len(delivered) == n and done.set()) if c.status is CallStatus.DELIVERED else None)
    service.start()
    asked, started = [], {}
    for _ in range(n):
        t0 = time.perf_counter()
        call = service.request(CONTEXT)
        asked.append(time.perf_counter() - t0)
        started[call.id] = t0
        time.sleep(0.01)
    done.wait(60)
    show(f"request() on the caller's thread (server takes {delay_s * 1e3:.0f} ms)", asked)
    show(f"request -> delivered to webhook (server takes {delay_s * 1e3:.0f} ms)",
         [delivered[i] - started[i] for i in delivered])
    for call in service.waiting():
        service.acknowledge(call.id)
    service.close()
    server.shutdown()


def bench_outbox(data: Path, n: int) -> None:
    box = Outbox(data / "box")
    record = json.loads(json.dumps({"id": "ab" * 16, "number": 1, "status": "waiting", "created_at": 0,
                                    "context": CONTEXT.__dict__, "channels_pending": ["webhook"]}))
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        box.save(lambda: record)
        samples.append(time.perf_counter() - t0)
    show("outbox: one atomic call write (fsync + os.replace)", samples)


def bench_lamp(data: Path, n: int) -> None:
    if not shutil.which("socat"):
        print("lamp: socat missing, skipped")
        return
    a, b = data / "tty0", data / "tty1"
    proc = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                            stderr=subprocess.DEVNULL)
    while not (a.exists() and b.exists()):
        time.sleep(0.01)
    import serial
    device = serial.Serial(str(b), timeout=2)
    service = HelpCallService(config(data, lamp_device=str(a)))
    service.start()
    device.readline()  # LAMP OFF on connect
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        call = service.request(CONTEXT)
        line = device.readline()
        samples.append(time.perf_counter() - t0)
        assert line == b"LAMP ON\n", line
        service.acknowledge(call.id)
        assert device.readline() == b"LAMP OFF\n"
    show("request -> device reads LAMP ON (socat pty)", samples)
    service.close()
    device.close()
    proc.terminate()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        bench_request_and_delivery(data / "a", 0.0, 200)
        bench_request_and_delivery(data / "b", 0.5, 50)
        bench_outbox(data, 200)
        bench_lamp(data, 50)


if __name__ == "__main__":
    main()
