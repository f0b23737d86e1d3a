"""The guided-browsing screen under a real sway (WLR_BACKENDS=headless) with the kiosk's
own config: the guide on the left, the site on the right, every later page stacked onto
the site column, no bar, no binding mode, and any other window closed as it opens.

sway refuses to run as root, so it runs as nobody (setpriv; root needed for that). The
guide stand-in is an X11 window of class pas-a-pas (Chromium on Xwayland: the kiosk's
Kivy window needs the venv, which nobody cannot read here); the site is the kiosk's
BrowserSession with real --app windows and real hand-overs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from kiosk.browser.session import BrowserSession, processes_naming
from tests.browser.conftest import BROWSER_WAIT_S, ROOT_FLAGS

SWAY_CONFIG = Path(__file__).resolve().parents[2] / "systemd" / "sway" / "pas-a-pas.conf"
NOBODY = 65534
SHOTS_DIR = Path(__file__).resolve().parents[2] / "out" / "screenshots"
# Two pages of known colours, so that the screenshot can tell which column shows which.
GUIDE_PAGE = "data:text/html,<body style=background:rgb(0,90,80)><h1 style=color:white>Guide</h1>"
SITE_PAGE = "data:text/html,<title>one</title><body style=background:rgb(250,230,120)><h1>Site officiel</h1>"


@pytest.fixture
def sway():
    for tool in ("sway", "swaymsg", "Xwayland", "setpriv"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install sway xwayland)")
    if os.geteuid() != 0:
        pytest.skip("the test runs sway as nobody, which needs root")
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
    yield Sway(sockets[0], runtime, base)
    os.killpg(proc.pid, 9)
    proc.wait(10)
    for pid in processes_naming(f"{base}/"):
        with contextlib.suppress(ProcessLookupError):  # it may end between the listing and the kill
            os.kill(pid, 9)
    shutil.rmtree(base, ignore_errors=True)


class Sway:
    def __init__(self, socket: Path, runtime: Path, base: Path):
        self.socket, self.runtime, self.base = socket, runtime, base

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


def _class(w: dict) -> str | None:
    return (w.get("window_properties") or {}).get("class")


def test_guide_left_site_right_later_pages_stacked_and_nothing_else_opens(sway):
    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    browser = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    try:
        browser.start(SITE_PAGE)
        windows = sway.wait_windows(lambda ws: len(ws) == 2 and any(w.get("app_id") for w in ws))
        guide, site = sorted(windows, key=lambda w: w["rect"]["x"])
        output = sway.msg("-t", "get_outputs")[0]["rect"]
        assert _class(guide) == "pas-a-pas" and guide["rect"]["x"] == 0
        assert re.match(r"^chrome-", site["app_id"]) and site["shell"] == "xdg_shell"
        assert abs(guide["rect"]["width"] - 0.4 * output["width"]) <= 2
        assert site["rect"]["x"] == guide["rect"]["width"]
        assert abs(site["rect"]["width"] - 0.6 * output["width"]) <= 2
        _assert_the_screen_shows_the_guide_left_and_the_site_right(sway, guide["rect"]["width"])

        assert browser.open("data:text/html,<title>two</title>") == "handed over"
        windows = sway.wait_windows(lambda ws: any(w["name"] == "two" and w["visible"] for w in ws))
        shown = [w for w in windows if w["visible"]]
        assert [_class(w) for w in shown if w.get("shell") == "xwayland"] == ["pas-a-pas"]
        [page] = [w for w in shown if w.get("shell") == "xdg_shell"]
        assert page["name"] == "two" and page["rect"]["x"] == guide["rect"]["width"]
        assert page["parent_layout"] == "stacked"  # the older page is behind, not a third column

        sway.x11_window("intruder")  # any other program's window
        # No event to wait on: for 10 s the tree must never keep an intruder window.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [w for w in sway.windows() if _class(w) == "intruder"]
        assert sway.msg("-t", "get_binding_modes") == ["default"]
        assert sway.msg("-t", "get_bar_config") == []
    finally:
        browser.wipe()
    assert browser.is_empty()


def _assert_the_screen_shows_the_guide_left_and_the_site_right(sway, split_px: int) -> None:
    """The pixels, not only the tree: the guide's colour left of the split, the site's right."""
    if not shutil.which("grim"):
        pytest.skip("grim is not installed (apt-get install grim)")
    from PIL import Image

    deadline = time.monotonic() + BROWSER_WAIT_S
    while True:
        with Image.open(sway.screenshot("browse-sway-guide-and-site")) as shot:
            image = shot.convert("RGB")
        left = image.getpixel((split_px // 2, image.height - 20))
        right = image.getpixel((split_px + (image.width - split_px) // 2, image.height - 20))
        if (left, right) == ((0, 90, 80), (250, 230, 120)) or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # the pages paint a moment after their windows are placed
    assert (left, right) == ((0, 90, 80), (250, 230, 120))


def test_the_kiosks_page_for_a_refused_address_opens_as_an_app_window_in_the_site_column(sway, site_server):
    """Under sway, the guard's replacement page must be an --app window (app_id chrome-…), not
    a normal Chromium window with an address bar (app_id chromium)."""
    from kiosk.browser.guard import page_url

    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    browser = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             guard_extra=(f"{site_server.base}/hop",),
                             environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    try:
        browser.start(f"{site_server.base}/hop")  # goes by itself to /ping/elsewhere
        assert browser.guard is not None and browser.guard.wait_replaced(1, BROWSER_WAIT_S)
        windows = sway.wait_windows(lambda ws: any(w["visible"] and w.get("shell") == "xdg_shell"
                                                   and "borne" in (w.get("name") or "") for w in ws))
        [page] = [w for w in windows if w["visible"] and w.get("shell") == "xdg_shell"]
        assert _right_column_turns(sway, "browse-sway-blocked-page", page["rect"]["x"], (255, 255, 255))
        assert page["app_id"].startswith("chrome-"), page["app_id"]  # an app window: no address bar
        assert page["rect"]["x"] > 0  # in the site column, right of the guide
        assert any(p.startswith(page_url()) for p in browser.guard.pages() or [])
    finally:
        browser.wipe()
    assert browser.is_empty()


def _right_column_turns(sway, name: str, split_px: int, colour: tuple[int, int, int]) -> bool:
    """The site column shows colour (the page has painted) within the wait; screenshot kept."""
    from PIL import Image

    deadline = time.monotonic() + BROWSER_WAIT_S
    while time.monotonic() < deadline:
        with Image.open(sway.screenshot(name)) as shot:
            image = shot.convert("RGB")
        if image.getpixel((split_px + (image.width - split_px) // 2, image.height - 20)) == colour:
            return True
        time.sleep(0.5)
    return False


def test_a_browser_started_ahead_has_no_window_until_the_first_site_is_handed_to_it(sway, site_server):
    """At reset the next visitor's browser starts with no window: the guide keeps the whole
    screen; the first site is handed to that same browser and takes the site column; if
    the site's window is closed, the watcher says so (« Rouvrir la page ») though the
    windowless browser is still running, and the page reopens in it."""
    from kiosk.browser.service import BrowserService

    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    output = sway.msg("-t", "get_outputs")[0]["rect"]
    session = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             guard_extra=(site_server.base,),
                             environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    service = BrowserService(session, extra=(site_server.base,), watch_interval_s=0.2)
    reports = []
    service.add_listener(reports.append)
    site = f"{site_server.base}/ping/one"
    try:
        service.prestart()
        deadline = time.monotonic() + BROWSER_WAIT_S
        while not (session.prestarted and session.guard.pages(5) == []) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session.prestarted
        ahead_pid = session.pid
        time.sleep(2)  # a window would have been placed by now
        [guide] = sway.windows()
        assert _class(guide) == "pas-a-pas" and guide["rect"]["width"] == output["width"]

        assert service.submit(site)
        assert site_server.wait_report() == "one"
        sway.wait_windows(lambda ws: any(w.get("app_id") and w["visible"] for w in ws))
        assert [(r.status, r.detail) for r in reports] == [("open", "handed over")]
        assert session.pid == ahead_pid  # the browser started ahead took the page
        windows = sway.wait_windows(lambda ws: len(ws) == 2)
        guide, page = sorted(windows, key=lambda w: w["rect"]["x"])
        assert abs(page["rect"]["width"] - 0.6 * output["width"]) <= 2 and page["app_id"].startswith("chrome-")

        # The watcher must have seen the site's page once before its window closes (a
        # visitor does not close it within the same fraction of a second it opened in).
        deadline = time.monotonic() + BROWSER_WAIT_S
        while not session._page_seen and time.monotonic() < deadline:
            time.sleep(0.1)
        sway.msg('[app_id="^chrom"]', "kill")  # the site's window closes
        deadline = time.monotonic() + BROWSER_WAIT_S
        while len(reports) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reports[-1].status == "crashed" and session.running()
        assert service.reopen()
        assert site_server.wait_report() == "one"
        sway.wait_windows(lambda ws: any(w.get("app_id") and w["visible"] for w in ws))
        deadline = time.monotonic() + BROWSER_WAIT_S
        while reports[-1].status != "open" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session.pid == ahead_pid and reports[-1].status == "open"
    finally:
        service.close()
    assert session.is_empty()
