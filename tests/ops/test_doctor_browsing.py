"""`kiosk doctor` on guided browsing: one plain line per part, with what the visitor gets."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk import doctor
from kiosk.browser.check import browsing_lines
from kiosk.browser.policy import build_policy, install
from kiosk.browser.session import BrowserError, BrowserSession
from kiosk.config import BrowsingSection
from kiosk.doctor import Environment, run_checks


def _cfg(ops_config, tmp_path, **browsing):
    values = dict(enabled=True, chromium="/bin/true", profile_root=tmp_path / "run" / "browser",
                  policy_file=tmp_path / "managed" / "pas-a-pas.json")
    values.update(browsing)
    return replace(ops_config, browsing=BrowsingSection(**values))


def _levels(lines):
    return {name: (level, message) for name, level, message in lines}


def test_off_by_default_is_one_ok_line(ops_config):
    [line] = doctor.check_browsing(ops_config, Environment())
    assert (line.name, line.level) == ("browsing", "OK") and "QR" in line.message


def test_missing_chromium_and_policy_each_give_one_fail_line_naming_the_fix(ops_config, tmp_path):
    cfg = _cfg(ops_config, tmp_path, chromium="/nonexistent/chromium")
    found = _levels(browsing_lines(cfg, dict(os.environ)))
    assert found["browser"][0] == "FAIL" and "apt-get install chromium" in found["browser"][1]
    assert found["browser policy"][0] == "FAIL" and "sudo kiosk browser policy" in found["browser policy"][1]
    assert all("QR" in found[n][1] for n in ("browser", "browser policy"))


def test_an_installed_policy_is_current_until_the_allow_list_changes(ops_config, tmp_path):
    cfg = _cfg(ops_config, tmp_path)
    install(cfg.browsing.policy_file, build_policy())
    assert _levels(browsing_lines(cfg, dict(os.environ)))["browser policy"][0] == "OK"
    cfg = _cfg(ops_config, tmp_path, allow_extra="http://127.0.0.1")
    level, message = _levels(browsing_lines(cfg, dict(os.environ)))["browser policy"]
    assert level == "FAIL" and "differs" in message


def test_sway_not_running_is_a_warning(ops_config, tmp_path):
    fake_proc = tmp_path / "proc"
    fake_proc.mkdir()
    level, message = _levels(browsing_lines(_cfg(ops_config, tmp_path), {}, proc=fake_proc))["compositor"]
    assert level == "WARN" and "sway is not running" in message
    (fake_proc / "4242").mkdir()
    (fake_proc / "4242" / "comm").write_text("sway\n")
    assert _levels(browsing_lines(_cfg(ops_config, tmp_path), {}, proc=fake_proc))["compositor"][0] == "OK"


def test_the_keyboard_line_names_a_missing_wvkbd_and_a_sway_without_the_follower(ops_config, tmp_path):
    bin_dir, fake_proc = tmp_path / "bin", tmp_path / "proc"
    bin_dir.mkdir()
    fake_proc.mkdir()
    cfg = _cfg(ops_config, tmp_path)
    level, message = _levels(browsing_lines(cfg, {"PATH": str(bin_dir)}, proc=fake_proc))["on-screen keyboard"]
    assert level == "FAIL" and "apt-get install wvkbd" in message
    (bin_dir / "wvkbd-mobintl").write_text("#!/bin/sh\n")
    (bin_dir / "wvkbd-mobintl").chmod(0o755)
    level, message = _levels(browsing_lines(cfg, {"PATH": str(bin_dir)}, proc=fake_proc))["on-screen keyboard"]
    assert level == "OK" and "not running now" in message  # says what it could not check
    (fake_proc / "4242").mkdir()
    (fake_proc / "4242" / "comm").write_text("sway\n")
    level, message = _levels(browsing_lines(cfg, {"PATH": str(bin_dir)}, proc=fake_proc))["on-screen keyboard"]
    assert level == "WARN" and "osk_follow.py is not running" in message
    (fake_proc / "4243").mkdir()
    (fake_proc / "4243" / "cmdline").write_bytes(b"/usr/bin/python3\0/opt/pas-a-pas/kiosk/browser/osk_follow.py\0--\0")
    level, message = _levels(browsing_lines(cfg, {"PATH": str(bin_dir)}, proc=fake_proc))["on-screen keyboard"]
    assert level == "OK" and "osk_follow.py running" in message


def test_a_chromium_without_french_is_a_warning_naming_the_package(ops_config, tmp_path):
    cfg = _cfg(ops_config, tmp_path)
    locales = tmp_path / "locales"
    locales.mkdir()
    level, message = _levels(browsing_lines(cfg, {}, chromium_locales=locales))["browser language"]
    assert level == "WARN" and "apt-get install chromium-l10n" in message
    (locales / "fr.pak").write_bytes(b"")
    assert "browser language" not in _levels(browsing_lines(cfg, {}, chromium_locales=locales))


def test_profile_root_off_tmpfs_or_not_writable(ops_config, tmp_path):
    cfg = _cfg(ops_config, tmp_path)
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\ntmpfs {tmp_path / 'run'} tmpfs rw 0 0\n")
    (tmp_path / "run").mkdir()
    assert _levels(browsing_lines(cfg, {}, mounts_file=mounts))["browser profiles"][0] == "OK"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n")
    level, message = _levels(browsing_lines(cfg, {}, mounts_file=mounts))["browser profiles"]
    assert level == "WARN" and "not a tmpfs" in message
    missing = _cfg(ops_config, tmp_path, profile_root=tmp_path / "nowhere" / "browser")
    assert _levels(browsing_lines(missing, {}))["browser profiles"][0] == "FAIL"


def test_a_visit_folder_is_a_leftover_only_when_no_running_browser_names_it(ops_config, tmp_path):
    """The next visitor's browser, started ahead at reset, keeps a visit folder all the time."""
    import subprocess
    import sys
    import time

    from kiosk.browser.session import processes_naming

    cfg = _cfg(ops_config, tmp_path)
    mounts = tmp_path / "mounts"
    mounts.write_text(f"tmpfs {tmp_path / 'run'} tmpfs rw 0 0\n")
    folder = cfg.browsing.profile_root / "visit-abcdefgh"
    folder.mkdir(parents=True)
    level, message = _levels(browsing_lines(cfg, {}, mounts_file=mounts))["browser profiles"]
    assert level == "WARN" and "1 visit folder(s) left" in message
    browser = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)",
                                f"--user-data-dir={folder}/profile"])
    try:
        deadline = time.monotonic() + 10  # /proc/<pid>/cmdline is empty until exec is done
        while browser.pid not in processes_naming(f"{folder}/") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _levels(browsing_lines(cfg, {}, mounts_file=mounts))["browser profiles"][0] == "OK"
    finally:
        browser.kill()
        browser.wait()


def test_a_profile_root_the_kiosk_cannot_write_fails(ops_config, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    cfg = _cfg(ops_config, tmp_path, profile_root=locked / "browser")
    assert _levels(browsing_lines(cfg, {}))["browser profiles"][0] == "FAIL"


def test_doctor_runs_the_browsing_check_among_the_others(ops_config, tmp_path):
    names = [r.name for r in run_checks(_cfg(ops_config, tmp_path), Environment(environ={}))]
    assert {"browser", "browser policy", "compositor", "browser profiles"} <= set(names)


def test_without_a_current_policy_the_browser_is_not_started(tmp_path):
    policy_file = tmp_path / "p.json"
    session = BrowserSession("/bin/sleep", tmp_path / "b",
                             preflight=lambda: None if Path(policy_file).exists() else "no policy")
    with pytest.raises(BrowserError, match="no policy"):
        session.start("https://www.impots.gouv.fr/")
    assert session.pid is None and session.is_empty()


def test_without_sway_the_browser_is_unavailable_not_crashed(tmp_path):
    """Chromium on Wayland with no compositor starts and dies at once: that must read as
    « no browser here » (QR code), not as a crash to reopen."""
    session = BrowserSession("/bin/sleep", tmp_path / "b", environ={"XDG_RUNTIME_DIR": str(tmp_path)})
    with pytest.raises(BrowserError, match="sway is not running"):
        session.start("https://www.impots.gouv.fr/")
    (tmp_path / "wayland-1").write_text("")  # a file is not the compositor's socket
    session = BrowserSession("/bin/sleep", tmp_path / "b",
                             environ={"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-1"})
    with pytest.raises(BrowserError, match="sway is not running"):
        session.start("https://www.impots.gouv.fr/")
    assert session.pid is None
