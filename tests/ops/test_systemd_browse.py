"""Guided-browsing deployment: pas-a-pas-browse.service verifies, its session script turns
the kiosk's status into the restart decision, and sway's config opens nothing else."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.config import BrowsingSection
from kiosk.sdnotify import LEAVE_TO_DESKTOP_EXIT_STATUS
from tests.ops.test_systemd import INSTALL_PREFIX, UNITS, executable

BROWSE_UNIT = UNITS / "pas-a-pas-browse.service"
SWAY_CONFIG = UNITS / "sway" / "pas-a-pas.conf"


def verify_as(name: str, unit_text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """tests/ops/test_systemd.verify under the unit's own name (it conflicts with pas-a-pas.service)."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed (Debian package systemd, see scripts/setup.sh)")
    prefix = tmp_path / "opt"
    shutil.copytree(UNITS, prefix / "systemd")
    unit = tmp_path / "units" / name
    unit.parent.mkdir()
    unit.write_text(unit_text.replace(INSTALL_PREFIX, str(prefix)), encoding="utf-8")
    return subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                          capture_output=True, text=True, timeout=60)


def test_the_browse_unit_verifies_without_a_single_warning(tmp_path):
    done = verify_as(BROWSE_UNIT.name, BROWSE_UNIT.read_text(encoding="utf-8"), tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "")
    typo = verify_as(BROWSE_UNIT.name, BROWSE_UNIT.read_text(encoding="utf-8").replace(
        "Restart=always", "Restart=allways"), tmp_path / "typo")
    assert "allways" in typo.stderr  # verify really reads this unit


def test_the_browse_unit_is_the_kiosk_unit_with_sway_and_a_tmpfs_for_profiles():
    text = BROWSE_UNIT.read_text(encoding="utf-8")
    settings = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
    assert settings["ExecStart"].endswith("/pas-a-pas-browse-session")
    assert "Conflicts=pas-a-pas.service" in text
    assert settings["User"] not in ("root", "0") and settings["LimitCORE"] == "0"
    assert settings["ProtectSystem"] in ("full", "strict")  # the kiosk cannot rewrite its own policy
    # The default profile_root is in the unit's RuntimeDirectory (/run is a tmpfs).
    assert BrowsingSection().profile_root.parent == Path("/run") / settings["RuntimeDirectory"]


def test_sway_has_no_binding_no_bar_and_starts_only_the_kiosk_and_the_keyboard():
    lines = [line.strip() for line in SWAY_CONFIG.read_text().splitlines()
             if line.strip() and not line.strip().startswith("#")]
    assert not [line for line in lines if re.match(r"(bindsym|bindcode|bindswitch|bar|mode|include)\b", line)]
    execs = [line for line in lines if line.startswith("exec")]
    # The programs of this checkout or of /opt/pas-a-pas: the unit and `kiosk run` set
    # PAS_A_PAS_HOME (tests/browser/test_run_in_sway.py runs them through a real sway).
    assert [e.split()[1] for e in execs] == ["/usr/bin/python3", '"$PAS_A_PAS_HOME/systemd/pas-a-pas-app"']
    # The keyboard, through the program that shows it only while a site's field has focus.
    assert execs[0].split()[2:] == ['"$PAS_A_PAS_HOME/kiosk/browser/osk_follow.py"', "--", "wvkbd-mobintl", "-L", "280"]
    assert (Path(__file__).resolve().parents[2] / "kiosk" / "browser" / "osk_follow.py").exists()
    assert any('app_id="^(?!chrom)"' in line and line.endswith("kill") for line in lines)


def test_the_unit_gives_the_guide_the_x11_class_sway_keeps():
    """Without SDL_VIDEO_X11_WMCLASS the Kivy window's class is python3.11 (seen under Xvfb),
    and sway's rule would close the guide itself as an intruder."""
    env = re.findall(r"^Environment=SDL_VIDEO_X11_WMCLASS=(\S+)$", BROWSE_UNIT.read_text(encoding="utf-8"), re.M)
    config = SWAY_CONFIG.read_text()
    assert env == ["pas-a-pas"]
    assert 'for_window [shell="xwayland" class="^pas-a-pas$"] mark --add guide' in config
    assert 'for_window [shell="xwayland" class="^(?!pas-a-pas$)"] kill' in config


@pytest.fixture
def browse_session(tmp_path):
    bin_dir, runtime, home = tmp_path / "bin", tmp_path / "run", tmp_path / "home"
    runtime.mkdir()
    # A sway that runs the app the real config would exec, and records its arguments.
    executable(bin_dir / "sway", '#!/bin/sh\necho "$@" > "$RECORD/sway"\n'
                                 '[ -n "${SWAY_CRASH:-}" ] && exit 1\n"$APP"\nexec sleep 30\n')
    executable(home / ".venv" / "bin" / "kiosk", '#!/bin/sh\nexit "$KIOSK_STATUS"\n')

    def run(kiosk_status: int, **extra):
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "RUNTIME_DIRECTORY": str(runtime), "RECORD": str(tmp_path),
               "PAS_A_PAS_HOME": str(home), "PAS_A_PAS_CONFIG": "/etc/pas-a-pas/kiosk.toml",
               "APP": str(UNITS / "pas-a-pas-app"), "KIOSK_STATUS": str(kiosk_status), **extra}
        return subprocess.run([str(UNITS / "pas-a-pas-browse-session")], env=env, capture_output=True,
                              text=True, timeout=30)

    run.record, run.runtime = tmp_path, runtime
    return run


@pytest.mark.parametrize("kiosk_status, service_status", [(LEAVE_TO_DESKTOP_EXIT_STATUS, 64), (0, 0), (1, 1)])
def test_the_browse_session_ends_with_the_kiosks_decision(browse_session, kiosk_status, service_status):
    done = browse_session(kiosk_status)
    assert done.returncode == service_status, done.stderr
    assert "--config" in (browse_session.record / "sway").read_text()
    assert (browse_session.runtime / "browser").is_dir()  # where the visits' profiles go


def test_sway_dying_before_the_kiosk_is_a_failure(browse_session):
    done = browse_session(0, SWAY_CRASH="1")
    assert done.returncode == 1 and "before the kiosk" in done.stderr
