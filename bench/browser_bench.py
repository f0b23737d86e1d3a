"""Figures for guided browsing: how long from a reset to a fresh browser showing its page,
what the wipe itself costs, and the browser's memory per visit.

Real Chromium, headless (the same flags and per-visit folder as on the kiosk, without the
Wayland window; under sway add the compositor's share), a page on 127.0.0.1 that reports
back once its script has run: "ready" means the page is there. Memory: the sum of PSS
(proportional set size, shared pages split between processes) and of RSS over every
process of the browser's group, read from /proc after the page is there.

Two ways to the first site step after a reset, both measured:
- cold: the wipe, then the browser started on the site's page (what the kiosk did before);
- ahead: the wipe, then a browser started ahead on the neutral page (BrowserSession.prestart,
  the browser worker's job once the wipe is verified), the visitor's time on the home screen
  (HOME_S), then the site shown in it (BrowserSession.open). "first site step -> page" is
  what the visitor waits for.
The session has the kiosk's guard (DevTools pipe): headless, it is what shows a page in a
running browser.

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

HOME_S = 3.0  # a visitor choosing a procedure before its first site step (kept short)
PAGE = b"""<!doctype html><meta charset="utf-8"><title>ready</title><p>Page officielle (banc)</p>
<script>fetch("/ready")</script>"""


def serve() -> tuple[ThreadingHTTPServer, threading.Event]:
    ready = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/ready":
                ready.set()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(PAGE)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser was killed by the wipe mid-request: nothing to report

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
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    url = f"{base_url}/page"
    # A tmpfs, like /run/pas-a-pas on the kiosk (/dev/shm is one on Debian).
    base = "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp"
    root = Path(tempfile.mkdtemp(prefix="pap-bench-", dir=base)) / "browser"
    flags = ("--no-sandbox",) if os.geteuid() == 0 else ()
    session = BrowserSession(shutil.which("chromium") or "/usr/bin/chromium", root, headless=True, extra_flags=flags,
                             guard_extra=(base_url,))
    resets, wipes, pss, rss, procs = [], [], [], [], []
    ahead_starts, ahead_shows, ahead_how = [], [], set()
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
        for _ in range(visits):
            time.sleep(2)
            ready.clear()
            t0 = time.monotonic()
            session.wipe()
            assert session.is_empty()
            session.prestart()
            while session.guard is None or session.guard.pages(5) is None:
                time.sleep(0.05)  # the neutral page is there and the browser answers
            t1 = time.monotonic()
            time.sleep(HOME_S)
            t2 = time.monotonic()
            ahead_how.add(session.open(url))
            if not ready.wait(60):
                raise SystemExit("the pre-started browser did not show the page within 60 s")
            t3 = time.monotonic()
            ahead_starts.append(t1 - t0)
            ahead_shows.append(t3 - t2)
    finally:
        session.wipe()
        server.shutdown()
        shutil.rmtree(root.parent, ignore_errors=True)
    med = statistics.median
    print(f"visits measured: {visits} (Chromium headless, profiles in {base}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f})")
    print(f"cold: reset -> fresh browser showing its page (first site step right after the reset): "
          f"median {med(resets):.2f} s, max {max(resets):.2f} s")
    print(f"ahead: reset -> browser started on the neutral page (worker, off the UI thread): "
          f"median {med(ahead_starts):.2f} s, max {max(ahead_starts):.2f} s")
    print(f"ahead: first site step -> page shown in it ({', '.join(sorted(ahead_how))}): "
          f"median {med(ahead_shows):.2f} s, max {max(ahead_shows):.2f} s")
    print(f"  of which the wipe (kill group, delete folder, verify): median {med(wipes) * 1000:.0f} ms")
    print(f"browser memory per visit: PSS median {med(pss) / 1024:.0f} MiB, RSS sum median {med(rss) / 1024:.0f} MiB, "
          f"{med(procs):.0f} processes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
