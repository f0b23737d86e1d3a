"""The on-screen keyboard follows the site's text fields, under a real sway (headless).

The kiosk's Chromium (BrowserSession's flags) tells sway through text-input-v3 when a
field takes focus; kiosk/browser/osk_follow.py, the seat's input method, shows or hides a
real wvkbd. What is checked is what a visitor would see: the site's window is shortened by
the keyboard's height while a field has focus, and has its whole height again after. Focus
moves by Tab typed through the virtual-keyboard protocol (wtype), the path wvkbd's own keys
take, so the same run shows that typing still reaches the field with the IME flags on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.browser.session import BrowserSession, processes_naming
from tests.browser.conftest import BROWSER_WAIT_S, NOBODY, ROOT_FLAGS, processes_in_environment

FOLLOWER = Path(__file__).resolve().parents[2] / "kiosk" / "browser" / "osk_follow.py"
# A button first (focus there: no field, no keyboard), then the field; its text becomes the
# window's title, which sway's tree shows.
PAGE = ("data:text/html,<title>vide</title><button autofocus>ok</button>"
        "<input id=f oninput=document.title=this.value>")


@pytest.fixture
def keyboard_tools():
    for tool in ("wvkbd-mobintl", "wtype", "python3"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install wvkbd wtype)")


def _start_follower(sway, name: str) -> Path:
    """osk_follow.py started by sway (so as nobody, on its socket), as the kiosk's sway
    config does; its log in the runtime folder."""
    copy = sway.base / "osk_follow.py"  # nobody cannot read the checkout here
    if not copy.exists():
        shutil.copyfile(FOLLOWER, copy)
        copy.chmod(0o644)
    log = sway.runtime / f"{name}.log"
    sway.msg("exec", f"LANG=C.UTF-8 exec python3 {copy} -- wvkbd-mobintl -L 280 > {log} 2>&1")
    return log


def _type(sway, *args: str) -> None:
    subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "wtype", *args],
                   env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "XDG_RUNTIME_DIR": str(sway.runtime),
                        "WAYLAND_DISPLAY": "wayland-1"}, check=True, timeout=20, capture_output=True)


def _wait_log(log: Path, text: str, count: int = 1) -> str:
    deadline = time.monotonic() + BROWSER_WAIT_S
    while time.monotonic() < deadline:
        content = log.read_text() if log.exists() else ""
        if content.count(text) >= count:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{log.name} never said {text!r} {count} time(s): {content!r}")


def _wait_last(log: Path, state: str) -> None:
    """Until the follower's last word on the keyboard is `state` (shown / hidden). Keys typed
    by wtype load its own keymap, which Chromium answers with a quick deactivate/activate:
    the log may say « hidden » then « shown » again while typing."""
    deadline = time.monotonic() + BROWSER_WAIT_S
    said: list[str] = []
    while time.monotonic() < deadline:
        said = [line.rsplit(" ", 1)[1] for line in (log.read_text() if log.exists() else "").splitlines()
                if line.startswith("pas-a-pas.osk: on-screen keyboard ") and line.split()[-1] in ("shown", "hidden")]
        if said and said[-1] == state:
            return
        time.sleep(0.1)
    raise AssertionError(f"the keyboard's last state never became {state!r}: {said}")


def _site(sway) -> dict:
    return next(w for w in sway.windows() if w.get("app_id"))


def _wait_height(sway, wanted, timeout_s: float = BROWSER_WAIT_S) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        site = _site(sway)
        if wanted(site["rect"]["height"]):
            return site
        time.sleep(0.1)
    raise AssertionError(f"site window height stayed {site['rect']['height']}")


def test_the_keyboard_shows_while_a_site_field_has_focus_and_typing_reaches_it(sway, keyboard_tools):
    log = _start_follower(sway, "osk")
    browser = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    try:
        browser.start(PAGE)
        sway.wait_windows(lambda ws: any(w.get("app_id") for w in ws))
        time.sleep(1.0)  # the page loaded, focus on its button: a keyboard would show by now
        full_px = _site(sway)["rect"]["height"]
        assert "shown" not in (log.read_text() if log.exists() else "")

        _type(sway, "-k", "Tab")  # focus onto the field
        _wait_log(log, "on-screen keyboard shown")
        short = _wait_height(sway, lambda h: h < full_px)
        keyboard_px = full_px - short["rect"]["height"]
        assert keyboard_px >= 150, keyboard_px  # wvkbd's own height, not a pixel of jitter

        _type(sway, "Bonjour é")
        deadline = time.monotonic() + BROWSER_WAIT_S
        while _site(sway)["name"] != "Bonjour é" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _site(sway)["name"] == "Bonjour é"

        _wait_last(log, "shown")
        _type(sway, "-M", "shift", "-k", "Tab", "-m", "shift")  # back onto the button
        _wait_last(log, "hidden")
        _wait_height(sway, lambda h: h == full_px)
    finally:
        browser.wipe()


def test_a_second_input_method_keeps_its_keyboard_shown_and_says_why(sway, keyboard_tools):
    first = _start_follower(sway, "first")
    deadline = time.monotonic() + BROWSER_WAIT_S
    while not first.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the first one holds the seat
    second = _start_follower(sway, "second")
    text = _wait_log(second, "on-screen keyboard shown")
    assert "always shown: another input method already holds the seat" in text
    assert "Traceback" not in text and "shown" not in first.read_text()
    # Sway gone: both end, and their keyboards with them (none started again and again).
    followers = processes_naming(f"{sway.base}/osk_follow.py")
    keyboards = _keyboards(sway)
    assert len(followers) == 2 and len(keyboards) == 2
    os.killpg(sway.pid, 9)
    assert _wait_gone(followers) == [] and _wait_gone(keyboards) == []


def _keyboards(sway) -> list[int]:
    return [pid for pid in processes_in_environment(str(sway.runtime))
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"wvkbd-mobintl\0")]


def _wait_gone(pids, timeout_s: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive = [p for p in pids if Path(f"/proc/{p}").exists() and _state(p) != "Z"]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


@pytest.mark.parametrize("what_ends", ["the follower, by SIGKILL", "sway"])
def test_the_keyboard_ends_with_its_follower_or_the_compositor_and_never_spins_alone(sway, keyboard_tools, what_ends):
    """wvkbd 0.12 left without a compositor spins at 40 % of a core: seen here, nine of
    them after the first runs of these tests."""
    log = _start_follower(sway, "osk")
    _wait_log(log, "Found")  # wvkbd's own first lines: it is running
    [keyboard] = _keyboards(sway)
    followers = [p for p in processes_naming(f"{sway.base}/osk_follow.py")]
    assert len(followers) == 1
    if what_ends == "sway":
        os.killpg(sway.pid, 9)
        assert _wait_gone(followers) == []
    else:
        os.kill(followers[0], 9)
    assert _wait_gone([keyboard]) == []


def test_without_a_compositor_it_says_where_it_looked_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-9"}
    done = subprocess.run(["python3", str(FOLLOWER), "--", "true"], capture_output=True, text=True, timeout=20, env=env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [f"pas-a-pas.osk: cannot reach the compositor at {tmp_path}/wayland-9: No such file or directory"]


@pytest.fixture
def silent_compositor(tmp_path):
    """A socket that takes connections and never says a word: a compositor that hangs."""
    import socket
    path = tmp_path / "wayland-9"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(8)
    yield tmp_path
    server.close()


def _follower(runtime: Path, *keyboard: str) -> subprocess.Popen:
    """The follower on the silent compositor; its keyboard's output on its stdout."""
    env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": "wayland-9"}
    return subprocess.Popen(["python3", str(FOLLOWER), "--", *keyboard], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_keyboard_that_cannot_start_is_one_line(silent_compositor):
    follower = _follower(silent_compositor, "/nonexistent/wvkbd-mobintl")
    _, err = follower.communicate(timeout=20)
    assert follower.returncode == 1
    assert err.strip().splitlines() == ["pas-a-pas.osk: cannot start the on-screen keyboard "
                                        "/nonexistent/wvkbd-mobintl: No such file or directory"]


def test_a_compositor_that_does_not_answer_is_one_line_and_the_keyboard_stays_shown(silent_compositor):
    # A keyboard stand-in that takes SIGUSR1/2 and says which it got.
    stand_in = ("import signal, sys, time\n"
                "for s in (signal.SIGUSR1, signal.SIGUSR2):\n"
                "    signal.signal(s, lambda n, f: print(signal.Signals(n).name, flush=True))\n"
                "time.sleep(60)\n")
    script = silent_compositor / "keyboard.py"
    script.write_text(stand_in)
    follower = _follower(silent_compositor, "python3", str(script))
    try:
        assert follower.stdout.readline().strip() == "SIGUSR2"  # shown, after the 5 s wait for globals
    finally:
        follower.terminate()
    _, err = follower.communicate(timeout=20)
    assert "Traceback" not in err
    assert "on-screen keyboard always shown: the compositor did not answer in time" in err
