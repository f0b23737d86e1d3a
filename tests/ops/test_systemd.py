"""The systemd unit passes `systemd-analyze verify` with no output at all, and the
launcher scripts turn the kiosk's exit status into the right restart decision."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.config import PrinterSection
from kiosk.sdnotify import LEAVE_TO_DESKTOP_EXIT_STATUS

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "systemd"
INSTALL_PREFIX = "/opt/pas-a-pas"


def verify(unit_text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """systemd-analyze verify on a copy whose paths point at a copy of the repo's scripts
    (verify fails when ExecStart's binary is missing, and we cannot write /opt in a test)."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed (Debian package systemd, see scripts/setup.sh)")
    prefix = tmp_path / "opt"
    shutil.copytree(UNITS, prefix / "systemd")
    unit = tmp_path / "units" / "pas-a-pas.service"
    unit.parent.mkdir()
    unit.write_text(unit_text.replace(INSTALL_PREFIX, str(prefix)), encoding="utf-8")
    return subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                          capture_output=True, text=True, timeout=60)


def unit_text() -> str:
    return (UNITS / "pas-a-pas.service").read_text(encoding="utf-8")


def test_the_unit_verifies_without_a_single_warning(tmp_path):
    done = verify(unit_text(), tmp_path)
    # verify only *warns* on typos such as Restart=allways: any output is a failure.
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "")


def test_verify_really_reports_a_typo(tmp_path):
    done = verify(unit_text().replace("Restart=always", "Restart=allways"), tmp_path)
    assert "allways" in done.stderr


def test_the_unit_keeps_the_kiosk_alive_and_watched():
    settings = dict(re.findall(r"^(\w+)=(.*)$", unit_text(), re.M))
    assert settings["Type"] == "notify" and settings["NotifyAccess"] == "all"
    assert int(settings["WatchdogSec"]) > 0 and settings["Restart"] == "always"
    assert settings["RestartPreventExitStatus"] == str(LEAVE_TO_DESKTOP_EXIT_STATUS)
    assert settings["User"] not in ("root", "0")
    assert settings["StandardOutput"] == settings["StandardError"] == "journal"


# ----- the launcher scripts, with stand-ins for cage and the kiosk ---------------------------
def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def session(tmp_path):
    """Run systemd/pas-a-pas-session with a cage that runs its application and a kiosk
    that exits with the status the test chooses; both record their arguments."""
    bin_dir = tmp_path / "bin"
    runtime = tmp_path / "run"
    runtime.mkdir()
    home = tmp_path / "home"
    executable(bin_dir / "cage", '#!/bin/sh\necho "$@" > "$RECORD/cage"\n'
                                 '[ -n "${CAGE_CRASH:-}" ] && exit 1\nshift 2\n"$@"\n')
    executable(bin_dir / "xset", '#!/bin/sh\necho "$@" > "$RECORD/xset"\n')
    executable(home / ".venv" / "bin" / "kiosk", '#!/bin/sh\necho "$@" > "$RECORD/kiosk"\nexit "$KIOSK_STATUS"\n')

    def run(kiosk_status: int, **extra):
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "RUNTIME_DIRECTORY": str(runtime), "RECORD": str(tmp_path),
               "PAS_A_PAS_HOME": str(home), "PAS_A_PAS_CONFIG": "/etc/pas-a-pas/kiosk.toml",
               "KIOSK_STATUS": str(kiosk_status), **extra}
        return subprocess.run([str(UNITS / "pas-a-pas-session")], env=env, capture_output=True, text=True, timeout=30)

    run.record = tmp_path
    return run


def test_leaving_to_the_desktop_stops_the_service(session):
    done = session(LEAVE_TO_DESKTOP_EXIT_STATUS)
    assert done.returncode == LEAVE_TO_DESKTOP_EXIT_STATUS
    assert "technician" in done.stderr
    assert (session.record / "kiosk").read_text().split() == ["run", "--config", "/etc/pas-a-pas/kiosk.toml"]
    cage_args = (session.record / "cage").read_text().split()
    assert "-s" not in cage_args and cage_args[:2] == ["-d", "--"]
    assert (session.record / "xset").read_text().split() == ["s", "off", "s", "noblank", "-dpms"]


@pytest.mark.parametrize("kiosk_status, service_status", [(0, 0), (1, 1), (70, 1), (134, 1)])
def test_any_other_end_is_restarted(session, kiosk_status, service_status):
    assert session(kiosk_status).returncode == service_status


def test_cage_dying_before_the_kiosk_is_a_failure(session):
    done = session(0, CAGE_CRASH="1")
    assert done.returncode == 1 and "before the kiosk" in done.stderr
    assert not (session.record / "kiosk").exists()


def test_the_session_script_refuses_to_run_outside_the_service(tmp_path):
    done = subprocess.run([str(UNITS / "pas-a-pas-session")], env={"PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0 and "pas-a-pas.service" in done.stderr


# ----- udev rule for the USB printer ------------------------------------------------------
def test_udev_rule_matches_the_default_printer_ids():
    rules = [line for line in (UNITS / "60-pas-a-pas-printer.rules").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert rules
    for rule in rules:
        pairs = [p.strip() for p in rule.split(",")]
        assert all(re.fullmatch(r'[A-Z]+(\{\w+\})?(==|=|\+=)"[^"]*"', p) for p in pairs), rule
    defaults = PrinterSection()
    ids = (f'ATTR{{idVendor}}=="{defaults.usb_vendor_id:04x}"', f'ATTR{{idProduct}}=="{defaults.usb_product_id:04x}"')
    assert any(all(i in rule for i in ids) for rule in rules)
    assert all('GROUP="lp"' in rule and 'MODE="0660"' in rule for rule in rules)


def test_the_example_config_loads_and_matches_the_unit():
    from kiosk import config
    cfg = config.load(UNITS / "kiosk.example.toml")
    settings = dict(re.findall(r"^(\w+)=(.*)$", unit_text(), re.M))
    assert cfg.data_dir == Path("/var/lib") / settings["StateDirectory"]
    assert f"PAS_A_PAS_CONFIG=/etc/{settings['ConfigurationDirectory']}/kiosk.toml" in unit_text()
    assert cfg.kiosk.fullscreen and cfg.input.provider != "mouse"


def test_the_unit_forbids_core_dumps():
    """A core dump after a crash held a visitor's typed text 9 times; the unit set no LimitCORE."""
    settings = dict(re.findall(r"^(\w+)=(.*)$", unit_text(), re.M))
    assert settings.get("LimitCORE") == "0"


def test_every_unit_that_runs_the_app_forbids_core_dumps():
    units = [p for p in UNITS.glob("*.service") if "pas-a-pas-session" in p.read_text(encoding="utf-8")
             or "kiosk run" in p.read_text(encoding="utf-8")]
    assert units
    for unit in units:
        assert re.search(r"^LimitCORE=0$", unit.read_text(encoding="utf-8"), re.M), unit.name


@pytest.mark.parametrize("launcher", ["systemd/pas-a-pas-app", "scripts/run.sh"])
def test_the_launchers_start_the_kiosk_with_the_wiping_allocator(launcher):
    """Freed memory held whole copies of typed text after a verified wipe: the launchers
    set what kiosk.privacy asks, so that `kiosk run` need not start itself again."""
    from kiosk.privacy import WIPING_ALLOCATOR

    text = (REPO / launcher).read_text(encoding="utf-8")
    exported = dict(re.findall(r"(\w+)=(\S+)", "\n".join(re.findall(r"^export (.*)$", text, re.M))))
    assert exported == WIPING_ALLOCATOR
    assert text.index("export PYTHONMALLOC") < text.index('kiosk" run')


def test_run_sh_with_a_config_runs_the_kiosk_on_that_config(tmp_path):
    """`scripts/run.sh --config FILE` (the README's second form): setup.sh, sourced by run.sh,
    took run.sh's own arguments for its extras and asked pip for « pas-a-pas[--config] »
    (a pip traceback, no kiosk). A missing file must reach the kiosk, which says so in one line."""
    import subprocess

    missing = tmp_path / "kiosk.toml"
    done = subprocess.run(["bash", str(REPO / "scripts" / "run.sh"), "--config", str(missing)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1] == f"kiosk: {missing}: config file not found"
    assert "Traceback" not in done.stderr
