"""`kiosk run --config` with guided browsing on, outside sway (scripts/run.sh on a
technician's machine): the kiosk starts sway around itself with the kiosk's own sway
config, as pas-a-pas-browse.service does (kiosk/browser/compositor.py).

sway refuses to run as root, so the real runs are as nobody (setpriv; root needed for that).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from kiosk.browser import compositor
from tests.browser.conftest import NOBODY, SHOTS_DIR, needs_sway_as_nobody, processes_in_environment

REPO = Path(__file__).resolve().parents[2]
HEADLESS = {"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1"}


# ----- what it decides, without starting anything ------------------------------------------
def test_inside_sway_or_without_a_config_the_kiosk_runs_itself(tmp_path):
    assert compositor.run_in_sway(tmp_path / "k.toml", tmp_path, {"SWAYSOCK": "/run/x.sock"}, euid=1000) is None
    assert compositor.run_in_sway(None, tmp_path, {}, euid=1000) is None


@pytest.mark.parametrize("case, environ, euid, said", [
    ("root", {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": "/run/user/0"}, 0, "do not run as root"),
    ("no sway", {"PATH": "/nonexistent", "XDG_RUNTIME_DIR": "/run/user/1000"}, 1000, "sway is not installed"),
    ("no runtime dir", {"PATH": "/usr/bin:/bin"}, 1000, "XDG_RUNTIME_DIR is not set"),
])
def test_when_sway_cannot_start_one_line_says_why_and_the_kiosk_runs_itself(tmp_path, caplog, case, environ, euid,
                                                                           said):
    if case != "no sway" and not shutil.which("sway"):
        pytest.skip("sway is not installed (apt-get install sway)")
    with caplog.at_level("WARNING", logger="kiosk.browser.compositor"):
        assert compositor.run_in_sway(tmp_path / "k.toml", tmp_path / "browser", environ, euid=euid) is None
    [line] = [r.getMessage() for r in caplog.records]
    assert said in line and line.endswith("the sites show as QR codes") and "\n" not in line


def test_a_profile_folder_this_user_cannot_make_is_one_line(tmp_path):
    if shutil.which("sway") is None:
        pytest.skip("sway is not installed (apt-get install sway)")
    environ = {"PATH": os.environ["PATH"], "XDG_RUNTIME_DIR": "/x"}
    blocker = tmp_path / "a-file"  # a file where a folder should be: not even root makes one in it
    blocker.write_text("")
    problem = compositor.sway_problem(blocker / "browser", environ, euid=1000)
    assert problem is not None and "profile_root" in problem and str(blocker / "browser") in problem
    assert compositor.sway_problem(tmp_path / "a" / "b", environ, euid=1000) is None


def test_the_session_gets_the_checkout_the_config_and_what_the_unit_sets(tmp_path):
    env = compositor.session_environ(Path("k.toml"), tmp_path, {"PATH": "/usr/bin", "WLR_BACKENDS": "headless"})
    assert env["PAS_A_PAS_HOME"] == str(REPO) and env["PAS_A_PAS_CONFIG"] == str(Path("k.toml").resolve())
    assert env["RUNTIME_DIRECTORY"] == str(tmp_path) and env["WLR_BACKENDS"] == "headless"
    unit = (REPO / "systemd" / "pas-a-pas-browse.service").read_text(encoding="utf-8")
    for name, value in compositor.SESSION_ENV.items():
        assert f"{name}={value}" in unit and env[name] == value


# ----- real sway, as nobody ---------------------------------------------------------------
@contextlib.contextmanager
def _nobody_folder():
    base = Path(tempfile.mkdtemp(prefix="pap-run-sway-", dir="/tmp"))
    base.chmod(0o755)
    runtime = base / "xdg"
    runtime.mkdir(mode=0o700)
    for folder in (base, runtime):
        os.chown(folder, NOBODY, NOBODY)
    try:
        yield base, runtime
    finally:
        for pid in processes_in_environment(str(runtime)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        shutil.rmtree(base, ignore_errors=True)


def _as_nobody(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def test_the_sway_config_starts_the_keyboard_and_the_kiosk_from_pas_a_pas_home():
    """The two exec lines reach the programs through $PAS_A_PAS_HOME (sway leaves an undeclared
    $NAME to the shell): here a folder whose stand-ins write down that they ran, and how."""
    needs_sway_as_nobody()
    with _nobody_folder() as (base, runtime):
        home = base / "home"
        for rel in ("kiosk/browser/osk_follow.py", "systemd/pas-a-pas-app"):
            stand_in = home / rel
            stand_in.parent.mkdir(parents=True, exist_ok=True)
            stand_in.write_text(f'#!/bin/sh\necho "$0 $*" > "{base}/ran-{stand_in.name}"\n')
            stand_in.chmod(0o755)
        # The kiosk's config as it is: /usr/bin/python3 runs the keyboard follower, a shell
        # script here (python3 would read it as Python: so the first line is checked apart).
        config = (REPO / "systemd" / "sway" / "pas-a-pas.conf").read_text()
        assert 'exec /usr/bin/python3 "$PAS_A_PAS_HOME/kiosk/browser/osk_follow.py"' in config
        (base / "sway.conf").write_text(config.replace("exec /usr/bin/python3 ", "exec "))
        env = {"PATH": "/usr/bin:/bin", "HOME": str(base), "XDG_RUNTIME_DIR": str(runtime), **HEADLESS,
               "PAS_A_PAS_HOME": str(home)}
        sway = _as_nobody(["sway", "--config", str(base / "sway.conf")], env)
        try:
            deadline = time.monotonic() + 20
            ran = [base / "ran-osk_follow.py", base / "ran-pas-a-pas-app"]
            while not all(f.exists() for f in ran) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert [f.exists() for f in ran] == [True, True], sway.stdout and sway.poll()
            assert ran[0].read_text().split() == [str(home / "kiosk/browser/osk_follow.py"), "--", "wvkbd-mobintl",
                                                  "-L", "280"]
            assert ran[1].read_text().split() == [str(home / "systemd/pas-a-pas-app")]
        finally:
            os.killpg(sway.pid, 9)
            sway.wait(10)


def _venv_usable_by_nobody() -> bool:
    # Through a shell: setpriv's own exec still has root's rights (the first exec of the
    # venv's python worked here while any later one was refused).
    python = REPO / ".venv" / "bin" / "python"
    done = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "/bin/sh", "-c",
                           f"'{python}' -c 'import kivy, kiosk'"], capture_output=True, timeout=60, cwd="/",
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "KIVY_NO_ARGS": "1"})
    return done.returncode == 0


def test_kiosk_run_with_browsing_on_shows_the_guide_in_the_kiosks_sway_and_ends_with_it():
    """The real kiosk, `kiosk run --config` as a technician runs it (here: nobody, sway
    headless): sway starts, the guide is its one window (class pas-a-pas, at the left edge,
    the whole screen until a site opens); the kiosk stopped, sway and all it started end,
    and `kiosk run` returns the kiosk's status."""
    needs_sway_as_nobody()
    if not _venv_usable_by_nobody():
        pytest.skip(f"nobody cannot run {REPO}/.venv's Python (its interpreter is under a folder only root reads)")
    with _nobody_folder() as (base, runtime):
        data = base / "data"
        data.mkdir()
        os.chown(data, NOBODY, NOBODY)
        cfg = base / "kiosk.toml"
        cfg.write_text(f'[kiosk]\ndata_dir = "{data}"\n[printer]\nconnection = "dummy"\n'
                       f'[browsing]\nenabled = true\nprofile_root = "{base}/profiles/browser"\n')
        env = {"PATH": "/usr/bin:/bin", "HOME": str(base), "XDG_RUNTIME_DIR": str(runtime), **HEADLESS,
               "KIVY_HOME": str(data / "kivy")}
        kiosk = _as_nobody([str(REPO / ".venv" / "bin" / "kiosk"), "run", "--config", str(cfg)], env)
        try:
            guide = _wait_for_guide(runtime, kiosk)
            assert guide["window_properties"]["class"] == "pas-a-pas"
            assert guide["rect"]["x"] == 0 and guide["rect"]["width"] == 1280  # the headless output
            if shutil.which("grim"):
                assert _drawn(runtime, env, "run-in-sway-attract"), "the guide's window stayed blank"
            [app] = [p for p in _kiosk_processes(runtime) if p != kiosk.pid]
            os.kill(app, 15)  # systemd's stop, to the kiosk inside sway
            out, _ = kiosk.communicate(timeout=60)
        finally:
            if kiosk.poll() is None:
                os.killpg(kiosk.pid, 9)
                kiosk.wait(10)
        assert kiosk.returncode == 0, out[-3000:]
        assert "guided browsing: starting sway" in out and "Traceback" not in out
        time.sleep(1)
        assert not [p for p in processes_in_environment(str(runtime)) if _name(p) in ("sway", "Xwayland")]


def _wait_for_guide(runtime: Path, kiosk: subprocess.Popen) -> dict:
    import json
    deadline = time.monotonic() + 90  # a cold Kivy start on a loaded CI machine
    while time.monotonic() < deadline:
        assert kiosk.poll() is None, kiosk.stdout.read()[-3000:]
        sockets = list(runtime.glob("sway-ipc.*.sock"))
        if sockets:
            tree = subprocess.run(["swaymsg", "-s", str(sockets[0]), "-t", "get_tree"], capture_output=True,
                                  text=True, timeout=10).stdout
            windows = _windows(json.loads(tree)) if tree.strip() else []
            if windows:
                [window] = windows
                return window
        time.sleep(0.5)
    raise AssertionError("the guide's window did not appear in sway")


def _drawn(runtime: Path, env: dict[str, str], name: str) -> bool:
    """The screen shows more than sway's empty grey (the kiosk drew its first frame), by grim
    as nobody; the last screenshot is out/screenshots/<name>.png."""
    from PIL import Image

    shot = runtime / f"{name}.png"
    deadline = time.monotonic() + 60
    while True:
        subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "grim", str(shot)],
                       env={**env, "WAYLAND_DISPLAY": "wayland-1"}, timeout=30, capture_output=True)
        with Image.open(shot) as image:
            colours = image.convert("RGB").getcolors(maxcolors=64)
        if colours is None or len(colours) > 8 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SHOTS_DIR / f"{name}.png")
    return colours is None or len(colours) > 8


def _windows(node: dict) -> list[dict]:
    found = [node] if node.get("pid") and node.get("type") == "con" else []
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        found += _windows(child)
    return found


def _name(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/comm").read_text().strip()
    return ""


def _kiosk_processes(runtime: Path) -> list[int]:
    """The `kiosk run` processes (the one started here, the one inside sway)."""
    found = []
    for pid in processes_in_environment(str(runtime)):
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if any(a.endswith(b"/kiosk") for a in argv[:2]) and b"run" in argv:
                found.append(pid)
    return found

