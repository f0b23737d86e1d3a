"""Fixtures for the guided-browsing tests: a real Chromium and pages served on 127.0.0.1.

Every test here is marked `browser` (select with -m browser, skip with -m "not browser");
they need Debian's chromium, and are skipped with the reason when it is not installed.
Chromium refuses its sandbox as root: run as root (CI), the tests add --no-sandbox.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from kiosk.browser.policy import build_policy, install
from kiosk.browser.session import processes_naming

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT_FLAGS = ("--no-sandbox",) if os.geteuid() == 0 else ()
BROWSER_WAIT_S = 30.0  # a cold Chromium under load on 2 shared cores
SWAY_CONFIG = Path(__file__).resolve().parents[2] / "systemd" / "sway" / "pas-a-pas.conf"
NOBODY = 65534  # sway refuses to run as root: the sway tests run it as nobody
SHOTS_DIR = Path(__file__).resolve().parents[2] / "out" / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def profile_root():
    """A short folder for visit folders: Chromium's socket path must fit in 107 bytes,
    which pytest's tmp_path does not leave room for."""
    root = Path(tempfile.mkdtemp(prefix="pap-", dir="/tmp")) / "browser"
    yield root
    shutil.rmtree(root.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


# The pages. /write stores the canary in a cookie, localStorage, IndexedDB and a typed
# form field (submitted, so it reaches history and the form's autocomplete), then goes to
# /read. /read reports what it finds of each to /report.
WRITE_PAGE = """<!doctype html><meta charset="utf-8"><title>write</title>
<form action="/typed" method="get"><input name="f" id="f" autocomplete="on"></form>
<script>
const c = new URLSearchParams(location.search).get("c");
document.cookie = "k=" + c + "; max-age=86400; path=/";
localStorage.setItem("k", c);
const open = indexedDB.open("canary", 1);
open.onupgradeneeded = () => open.result.createObjectStore("s");
open.onsuccess = () => {
  const tx = open.result.transaction("s", "readwrite");
  tx.objectStore("s").put(c, "k");
  tx.oncomplete = () => { document.getElementById("f").value = c; document.forms[0].submit(); };
};
</script>"""
TYPED_PAGE = """<!doctype html><meta charset="utf-8"><title>typed</title>
<script>setTimeout(() => { location.href = "/read"; }, 200);</script>"""
READ_PAGE = """<!doctype html><meta charset="utf-8"><title>read</title>
<script>
function report(idb) {
  const found = {cookie: document.cookie, local: localStorage.getItem("k") || "", idb: idb || ""};
  fetch("/report?" + new URLSearchParams({found: JSON.stringify(found)}));
}
const open = indexedDB.open("canary", 1);
open.onupgradeneeded = () => open.result.createObjectStore("s");
open.onsuccess = () => {
  const get = open.result.transaction("s").objectStore("s").get("k");
  get.onsuccess = () => report(get.result);
  get.onerror = () => report("");
};
open.onerror = () => report("");
</script>"""
FRAME_PAGE = """<!doctype html><meta charset="utf-8"><title>frame</title>
<iframe src="/ping/blocked" onload="fetch('/report?found=frame-done')"></iframe>"""
# Allowed, then goes by itself (a link on an official site) to a page outside the allow-list.
HOP_PAGE = """<!doctype html><meta charset="utf-8"><title>hop</title>
<script>fetch("/report?found=hop").then(() => { location.href = "/ping/elsewhere"; });</script>"""
# Asks for an attachment (/file, served with Content-Disposition: attachment) as a link
# on an official site would: a click on it, then reports.
DOWNLOAD_PAGE = """<!doctype html><meta charset="utf-8"><title>download</title>
<a id="a" href="/file">Télécharger l'attestation</a>
<script>document.getElementById("a").click(); fetch("/report?found=download-asked");</script>"""
PING_PAGE = """<!doctype html><meta charset="utf-8"><title>{name}</title>
<p>page {name}</p><script>fetch("/report?" + new URLSearchParams({{found: "{name}"}}));</script>"""


@dataclass
class SiteServer:
    base: str
    # The bytes of /file, unique to this server: a file holding them is the download.
    canary: bytes = field(default_factory=lambda: ("canary" + secrets.token_hex(12)).encode())
    served_files: int = 0  # /file responses written in full
    requests: list[str] = field(default_factory=list)
    reports: list[object] = field(default_factory=list)
    _event: threading.Event = field(default_factory=threading.Event)

    def wait_report(self, timeout_s: float = BROWSER_WAIT_S) -> object:
        """The next report a page sends (pages send one each)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.reports:
                return self.reports.pop(0)
            self._event.wait(0.05)
            self._event.clear()
        raise AssertionError(f"no page reported within {timeout_s:.0f} s; requests: {self.requests}")


@pytest.fixture
def site_server():
    """Pages on 127.0.0.1 (a random port), held in memory only: no file holds a canary."""
    pages = {"/write": WRITE_PAGE, "/typed": TYPED_PAGE, "/read": READ_PAGE, "/frame": FRAME_PAGE, "/hop": HOP_PAGE,
             "/download": DOWNLOAD_PAGE}
    state = SiteServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            state.requests.append(parts.path)
            if parts.path == "/report":
                found = parse_qs(parts.query).get("found", [""])[0]
                state.reports.append(json.loads(found) if found.startswith("{") else found)
                state._event.set()
                body = b""
            elif parts.path == "/file":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Disposition", 'attachment; filename="attestation.pdf"')
                self.send_header("Cache-Control", "no-store")  # so that no HTTP cache keeps it
                self.send_header("Content-Length", str(len(state.canary)))
                self.end_headers()
                self.wfile.write(state.canary)
                state.served_files += 1
                return
            elif parts.path in pages:
                body = pages[parts.path].encode()
            elif parts.path.startswith("/ping/"):
                body = PING_PAGE.format(name=parts.path.rsplit("/", 1)[1]).encode()
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # no log line may hold a canary
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def files_holding(needle: bytes, roots: list[Path], max_bytes: int = 64 << 20) -> list[Path]:
    """Regular files under roots whose bytes hold needle (unreadable or huge files skipped)."""
    hits = []
    for root in roots:
        for folder, dirs, names in os.walk(root, onerror=lambda _e: None):
            for name in names:
                path = Path(folder) / name
                try:
                    if not path.is_file() or path.is_symlink() or path.stat().st_size > max_bytes:
                        continue
                    if needle in path.read_bytes():
                        hits.append(path)
                except OSError:
                    continue
    return hits


MANAGED_DIR = Path("/etc/chromium/policies/managed")


@contextlib.contextmanager
def managed_test_policy(name: str, allowed: tuple[str, ...], check=None):
    """The kiosk's own policy plus `allowed` addresses, installed where Chromium reads it (as
    root only: Chromium reads /etc/chromium/policies/managed alone). While it is there it
    applies to every Chromium on this machine; removed afterwards. check(policy) may assert
    on the policy before it is installed."""
    if os.geteuid() != 0:
        pytest.skip("installing a managed policy needs root")
    path = MANAGED_DIR / f"pas-a-pas-test-{name}-{os.getpid()}.json"
    policy = build_policy(allowed)
    if check is not None:
        check(policy)
    install(path, policy)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def needs_sway_as_nobody() -> None:
    """Skip unless sway, Xwayland and setpriv are here and we are root (to be nobody)."""
    for tool in ("sway", "swaymsg", "Xwayland", "setpriv"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install sway xwayland)")
    if os.geteuid() != 0:
        pytest.skip("the test runs sway as nobody, which needs root")


@pytest.fixture
def sway():
    needs_sway_as_nobody()
    base = Path(tempfile.mkdtemp(prefix="pap-sway-", dir="/tmp"))
    base.chmod(0o755)
    runtime = base / "xdg"
    runtime.mkdir(mode=0o700)
    os.chown(runtime, NOBODY, NOBODY)
    config = base / "sway.conf"
    # The kiosk's config but its two exec lines (the test starts the windows itself).
    config.write_text("".join(line for line in SWAY_CONFIG.read_text().splitlines(keepends=True)
                              if not line.startswith("exec ")))
    config.chmod(0o644)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(base), "XDG_RUNTIME_DIR": str(runtime),
           "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1"}
    proc = subprocess.Popen(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                             "sway", "--config", str(config)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 20
    while not list(runtime.glob("sway-ipc.*.sock")) and time.monotonic() < deadline:
        time.sleep(0.1)
    sockets = list(runtime.glob("sway-ipc.*.sock"))
    assert sockets, "sway did not start"
    yield Sway(sockets[0], runtime, base, proc.pid)
    os.killpg(proc.pid, 9)
    proc.wait(10)
    # What sway started runs in sessions of its own: found by the runtime folder it names
    # or was given (XDG_RUNTIME_DIR), such as a keyboard that would spin without sway.
    for pid in set(processes_naming(f"{base}/")) | set(processes_in_environment(str(runtime))):
        with contextlib.suppress(ProcessLookupError):  # it may end between the listing and the kill
            os.kill(pid, 9)
    shutil.rmtree(base, ignore_errors=True)


def processes_in_environment(value: str) -> list[int]:
    needle = os.fsencode(value)
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry.name}/environ", "rb") as f:
                if needle in f.read():
                    found.append(int(entry.name))
    return found


class Sway:
    def __init__(self, socket: Path, runtime: Path, base: Path, pid: int):
        self.socket, self.runtime, self.base, self.pid = socket, runtime, base, pid

    def msg(self, *args: str):
        done = subprocess.run(["swaymsg", "-s", str(self.socket), *args], capture_output=True, text=True, timeout=10)
        return json.loads(done.stdout) if done.stdout.strip() else None

    def windows(self) -> list[dict]:
        found = []

        def walk(node, parent_layout):
            if node.get("pid") and node["type"] in ("con", "floating_con"):
                found.append({**node, "parent_layout": parent_layout})
            for child in node.get("nodes", []) + node.get("floating_nodes", []):
                walk(child, node.get("layout"))

        walk(self.msg("-t", "get_tree"), None)
        return found

    def wait_windows(self, condition, timeout_s: float = BROWSER_WAIT_S) -> list[dict]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            windows = self.windows()
            if condition(windows):
                return windows
            time.sleep(0.2)
        raise AssertionError(f"layout not reached: {[(w.get('app_id'), w.get('window_properties')) for w in windows]}")

    def x11_window(self, wm_class: str, url: str = "about:blank") -> None:
        """An X11 window of that class, started by sway (so on its Xwayland, as nobody)."""
        folder = self.runtime / f"x11-{wm_class}"  # nobody can write only there
        self.msg("exec", f"chromium --ozone-platform=x11 --no-first-run --class={wm_class} "
                         f"--user-data-dir={folder} --app='{url}'")

    def screenshot(self, name: str) -> Path:
        """What the screen shows, by grim as nobody (sway's socket is nobody's), copied to
        out/screenshots/<name>.png."""
        shot = self.runtime / f"{name}.png"
        subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "grim", str(shot)],
                       env={"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(self.runtime),
                            "WAYLAND_DISPLAY": "wayland-1"}, check=True, timeout=30, capture_output=True)
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        final = SHOTS_DIR / f"{name}.png"
        shutil.copyfile(shot, final)
        return final
