"""Figures for guided browsing: how long from a reset to a fresh browser showing its page,
what the wipe itself costs, and the browser's memory per visit.

Real Chromium, headless (the same flags and per-visit folder as on the kiosk, without the
Wayland window; under sway add the compositor's share), a page on 127.0.0.1 that reports
back once its script has run: "ready" means the page is there. Memory: the sum of PSS
(proportional set size, shared pages split between processes) and of RSS over every
process of the browser's group, read from /proc after the page is there.

Run: PYTHONPATH=. .venv/bin/python bench/browser_bench.py [visits]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kiosk.browser.session import BrowserSession

PAGE = b"""<!doctype html><meta charset="utf-8"><title>ready</title><p>Page officielle (banc)</p>
<script>fetch("/ready")</script>"""


def serve() -> tuple[ThreadingHTTPServer, threading.Event]:
    ready = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/ready":
                ready.set()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, ready


def group_memory_kib(pgid: int) -> tuple[int, int, int]:
    """(processes, PSS KiB, RSS KiB) summed over the process group."""
    count = pss = rss = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            text = Path(f"/proc/{entry.name}/smaps_rollup").read_text()
        except (OSError, ProcessLookupError):
            continue
        count += 1
        for line in text.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return count, pss, rss


def main(visits: int) -> None:
    server, ready = serve()
    url = f"http://127.0.0.1:{server.server_address[1]}/page"
    # A tmpfs, like /run/pas-a-pas on the kiosk (/dev/shm is one on Debian).
    base = "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp"
    root = Path(tempfile.mkdtemp(prefix="pap-bench-", dir=base)) / "browser"
    flags = ("--no-sandbox",) if os.geteuid() == 0 else ()
    session = BrowserSession(shutil.which("chromium") or "/usr/bin/chromium", root, headless=True, extra_flags=flags)
    resets, wipes, pss, rss, procs = [], [], [], [], []
    try:
        session.start(url)  # the first visit: a cold start, not counted
        ready.wait(60)
        for _ in range(visits):
            time.sleep(2)  # let the page settle, as a visit would
            count, p, r = group_memory_kib(session.pid)
            procs.append(count)
            pss.append(p)
            rss.append(r)
            ready.clear()
            t0 = time.monotonic()
            session.wipe()
            assert session.is_empty()
            t1 = time.monotonic()
            session.start(url)
            if not ready.wait(60):
                raise SystemExit("the browser did not show its page within 60 s")
            t2 = time.monotonic()
            wipes.append(t1 - t0)
            resets.append(t2 - t0)
    finally:
        session.wipe()
        server.shutdown()
        shutil.rmtree(root.parent, ignore_errors=True)
    med = statistics.median
    print(f"visits measured: {visits} (Chromium headless, profiles in {base}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f})")
    print(f"reset -> fresh browser showing its page: median {med(resets):.2f} s, max {max(resets):.2f} s")
    print(f"  of which the wipe (kill group, delete folder, verify): median {med(wipes) * 1000:.0f} ms")
    print(f"browser memory per visit: PSS median {med(pss) / 1024:.0f} MiB, RSS sum median {med(rss) / 1024:.0f} MiB, "
          f"{med(procs):.0f} processes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
