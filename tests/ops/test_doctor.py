"""`kiosk doctor`: each check on real files, devices and processes; fakes only for faults
that cannot be caused on demand (a hung printer driver, a full disk)."""

import os
import shutil
import stat
import subprocess
import time
from collections import namedtuple
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from kiosk import doctor
from kiosk.config import ASSETS_DIR, ConseillerSection, InputSection, PrinterSection
from kiosk.doctor import Environment, run_checks
from kiosk.pin import hash_pin
from kiosk.stats import Stats


def by_name(results):
    return {r.name: r for r in results}


def env_without_display(**kw):
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    return Environment(environ=environ, **kw)


def test_every_check_gives_one_line_with_a_level(ops_config):
    results = run_checks(ops_config, env_without_display())
    names = [r.name for r in results]
    for expected in ("config", "data dir", "conseiller PIN", "content", "fonts", "display", "touch",
                     "serial", "statistics", "disk", "clock"):
        assert expected in names
    assert any(n.startswith("printer") for n in names) and any(n.startswith("help call") for n in names)
    for r in results:
        assert r.level in ("OK", "WARN", "FAIL")
        assert "\n" not in r.line() and r.line().startswith(r.level)


# ----- config, PINs, content, fonts ----------------------------------------------------------
def test_missing_data_dir_is_a_warning_when_it_can_be_created(ops_config, tmp_path):
    cfg = replace(ops_config, kiosk=replace(ops_config.kiosk, data_dir=tmp_path / "later"))
    assert by_name(doctor.check_config(cfg, Environment()))["data dir"].level == "WARN"
    blocker = tmp_path / "file"
    blocker.write_text("")
    cfg = replace(ops_config, kiosk=replace(ops_config.kiosk, data_dir=blocker))
    assert by_name(doctor.check_config(cfg, Environment()))["data dir"].level == "FAIL"


@pytest.mark.parametrize("conseiller, level", [
    (ConseillerSection(), "WARN"),
    (ConseillerSection(pin_hash=hash_pin("2468", n=16)), "OK"),
    (ConseillerSection(technician_pin_hash="2468"), "FAIL"),  # the PIN pasted instead of its hash
])
def test_pins(ops_config, conseiller, level):
    [result] = doctor.check_pins(replace(ops_config, conseiller=conseiller), Environment())
    assert result.level == level
    assert "2468" not in result.message


def test_broken_content_names_the_file(ops_config, tmp_path):
    empty = tmp_path / "content"
    empty.mkdir()
    cfg = replace(ops_config, kiosk=replace(ops_config.kiosk, content_dir=empty))
    [result] = doctor.check_content(cfg, Environment())
    assert result.level == "FAIL"
    assert "categories.yaml" in result.message and "kiosk content validate" in result.message
    # A small pack made of shipped files (not the whole shipped pack: other parts of the
    # project edit it, and its own tests guard it).
    (empty / "procedures").mkdir()
    shutil.copy(ASSETS_DIR / "content" / "categories.yaml", empty)
    shutil.copy(ASSETS_DIR / "content" / "procedures" / "creer-adresse-email.yaml", empty / "procedures")
    [result] = doctor.check_content(cfg, Environment())
    assert result.level == "OK" and "1 procedures" in result.message


def test_fonts_must_exist_and_load(ops_config, tmp_path):
    assert doctor.check_fonts(ops_config, Environment())[0].level == "OK"
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    assert doctor.check_fonts(ops_config, Environment(fonts_dir=fonts))[0].level == "FAIL"
    shutil.copy(ASSETS_DIR / "fonts" / "AtkinsonHyperlegible-Regular.ttf", fonts)
    (fonts / "Broken.ttf").write_bytes(b"not a font at all")
    [result] = doctor.check_fonts(ops_config, Environment(fonts_dir=fonts))
    assert result.level == "FAIL" and "Broken.ttf" in result.message and "Atkinson" not in result.message


# ----- display and touch ---------------------------------------------------------------------
def test_without_a_display_an_offscreen_window_is_tried(ops_config):
    [result] = doctor.check_display(ops_config, env_without_display())
    assert result.level in ("OK", "WARN")
    assert "offscreen window opens" in result.message


def test_a_display_that_is_not_there_fails_instead_of_falling_back_offscreen(ops_config):
    env = env_without_display()
    env.environ["DISPLAY"] = ":87"  # no X server there
    [result] = doctor.check_display(ops_config, env)
    assert result.level == "FAIL" and ":87" in result.message


@pytest.fixture
def xvfb(tmp_path):
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed")
    display = 90 + os.getpid() % 50
    proc = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket_path = Path(f"/tmp/.X11-unix/X{display}")
    for _ in range(250):
        if socket_path.exists():
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.skip("Xvfb did not start")
    yield f":{display}"
    proc.terminate()
    proc.wait(timeout=5)


def test_a_real_x_display_opens_a_window(ops_config, xvfb):
    env = env_without_display()
    env.environ["DISPLAY"] = xvfb
    [result] = doctor.check_display(ops_config, env)
    assert (result.level, result.message) == ("OK", f"a window opens on {xvfb}")


def test_touch_device(ops_config, tmp_path):
    kiosk_cfg = replace(ops_config, kiosk=replace(ops_config.kiosk, fullscreen=True))
    assert doctor.check_touch(kiosk_cfg, Environment())[0].level == "WARN"  # mouse on a kiosk
    missing = replace(ops_config, input=InputSection(provider="hidinput", touch_device=str(tmp_path / "event9")))
    [result] = doctor.check_touch(missing, Environment())
    assert result.level == "FAIL" and "by-id" in result.message
    (tmp_path / "event9").write_bytes(b"")
    assert doctor.check_touch(missing, Environment())[0].level == "OK"


# ----- printer and help-call channels (services injected through the Environment) ---------------
class RecordingPrinterCheck:
    def __init__(self, answer=("OK", "paper present"), delay_s=0.0, error=None):
        self.answer, self.delay_s, self.error, self.calls = answer, delay_s, error, []

    def __call__(self, cfg, timeout_s):
        self.calls.append((cfg, timeout_s))
        time.sleep(self.delay_s)  # stands for a driver that hangs: there is no event to wait on
        if self.error:
            raise self.error
        return self.answer


def test_printer_status_is_read_with_the_configured_timeout(ops_config):
    check = RecordingPrinterCheck(("WARN", "paper low: change the roll soon"))
    cfg = replace(ops_config, printer=replace(PrinterSection(), io_timeout_s=1.5))
    [result] = doctor.check_printer(cfg, Environment(printer_check=check))
    assert (result.level, result.message) == ("WARN", "paper low: change the roll soon")
    assert check.calls == [(cfg, 1.5)]


def test_a_hung_printer_does_not_hang_doctor(ops_config, monkeypatch):
    monkeypatch.setattr(doctor, "DEVICE_CHECK_GRACE_S", 0.1)
    cfg = replace(ops_config, printer=replace(PrinterSection(), io_timeout_s=0.1))
    [result] = doctor.check_printer(cfg, Environment(printer_check=RecordingPrinterCheck(delay_s=3)))
    assert result.level == "FAIL" and "no answer" in result.message


def test_by_default_the_real_printer_stack_is_asked(ops_config, tmp_path):
    cfg = replace(ops_config, printer=replace(PrinterSection(), connection="file", spool_dir=tmp_path / "spool"))
    [result] = doctor.check_printer(cfg, Environment())
    assert result.level in ("OK", "WARN") and result.message


def test_a_crashing_check_is_a_fail_and_the_others_still_run(ops_config):
    env = env_without_display()
    env.printer_check = RecordingPrinterCheck(error=RuntimeError("driver bug with secret text"))
    results = by_name(run_checks(ops_config, env))
    assert results["printer"].level == "FAIL"
    assert "RuntimeError" in results["printer"].message and "secret" not in results["printer"].message
    assert results["clock"].level in ("OK", "WARN")


class RecordingHelpDesk:
    def __init__(self, answers):
        self.answers, self.seen = answers, []

    def __call__(self, cfg):  # the factory: doctor makes one service per run
        self.seen.append(("init", cfg))
        return self

    def dry_run(self):
        self.seen.append(("dry_run",))
        return self.answers

    def close(self):
        self.seen.append(("close",))


def test_each_help_call_channel_gets_its_line(ops_config):
    desk = RecordingHelpDesk([("webhook", "OK", "http://127.0.0.1:8080 answered 200"),
                              ("lamp", "FAIL", "/dev/ttyACM0 not found")])
    results = doctor.check_help_channels(ops_config, Environment(help_desk_factory=desk))
    assert [(r.name, r.level) for r in results] == [("help call webhook", "OK"), ("help call lamp", "FAIL")]
    assert desk.seen == [("init", ops_config), ("dry_run",), ("close",)]


def test_the_help_desk_is_closed_even_when_its_dry_run_crashes(ops_config):
    desk = RecordingHelpDesk(None)
    desk.dry_run = lambda: 1 / 0
    with pytest.raises(ZeroDivisionError):
        doctor.check_help_channels(ops_config, Environment(help_desk_factory=desk))
    assert desk.seen == [("init", ops_config), ("close",)]


def test_a_call_lamp_is_reported_on_one_line(ops_config, serial_pair, tmp_path):
    """One device, one line: before, `serial <path>` and `help call lamp` both reported it."""
    tty, _ = serial_pair
    for path, level in ((str(tty), "OK"), (str(tmp_path / "ttyACM7"), "FAIL")):
        cfg = replace(ops_config, helpcall=replace(ops_config.helpcall, lamp_device=path))
        env = Environment()
        results = doctor.check_serial(cfg, env) + doctor.check_help_channels(cfg, env)  # the two that could
        about_the_lamp = [r for r in results if path in r.line()]
        assert [(r.name, r.level) for r in about_the_lamp] == [("help call lamp", level)]
        assert "[helpcall] lamp_device" in about_the_lamp[0].message


# ----- serial devices --------------------------------------------------------------------
def test_serial_printer_on_a_real_pseudo_terminal(ops_config, serial_pair, tmp_path):
    tty, _ = serial_pair
    cfg = replace(ops_config, printer=replace(PrinterSection(), connection="serial", serial_device=str(tty)))
    [result] = doctor.check_serial(cfg, Environment())
    assert result.level == "OK" and "[printer] serial_device" in result.message
    gone = replace(cfg, printer=replace(cfg.printer, serial_device=str(tmp_path / "ttyUSB7")))
    [result] = doctor.check_serial(gone, Environment())
    assert result.level == "FAIL" and "not found" in result.message
    plain = tmp_path / "plain"
    plain.write_text("")
    [result] = doctor.check_serial(replace(cfg, printer=replace(cfg.printer, serial_device=str(plain))), Environment())
    assert result.level == "FAIL" and "not a serial device" in result.message


def test_the_serial_path_of_an_unused_connection_is_not_checked(ops_config):
    cfg = replace(ops_config, printer=replace(PrinterSection(), connection="file", serial_device="/dev/ttyUSB7"))
    assert doctor.check_serial(cfg, Environment())[0].message == "no serial device in use"


# ----- statistics, disk, clock -----------------------------------------------------------
def test_statistics_database(ops_config):
    path = ops_config.data_path(ops_config.stats.db_file)
    assert doctor.check_stats(ops_config, Environment())[0].level == "OK"
    stats = Stats(path)
    stats.session_started()
    stats.close()
    [result] = doctor.check_stats(ops_config, Environment())
    assert (result.level, result.message) == ("OK", f"{path}: 1 days of figures")
    assert sorted(p.name for p in path.parent.iterdir()) == ["stats.sqlite3"]  # doctor created nothing
    path.write_bytes(b"SQLite format 3\0" + os.urandom(4096))
    assert doctor.check_stats(ops_config, Environment())[0].level == "FAIL"


Usage = namedtuple("Usage", "total used free")


@pytest.mark.parametrize("free_mb, level", [(10_000, "OK"), (400, "WARN"), (20, "FAIL")])
def test_disk_space_thresholds(ops_config, free_mb, level):
    asked = []

    def usage(path):
        asked.append(path)
        return Usage(10**12, 0, free_mb * 10**6)

    [result] = doctor.check_disk(ops_config, Environment(disk_usage=usage))
    assert result.level == level
    assert asked == [ops_config.data_dir]


def fake_timedatectl(tmp_path, answer, rc=0):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / "timedatectl"
    tool.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/args\necho {answer}\nexit {rc}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin"}


def test_clock_year_and_synchronisation(ops_config, tmp_path):
    in_2020 = datetime(2020, 1, 1, 12).timestamp()
    assert doctor.check_clock(ops_config, Environment(now=lambda: in_2020))[0].level == "FAIL"
    [result] = doctor.check_clock(ops_config, Environment(environ=fake_timedatectl(tmp_path, "yes")))
    assert result.level == "OK"
    assert (tmp_path / "args").read_text().split() == ["show", "-p", "NTPSynchronized", "--value"]
    [result] = doctor.check_clock(ops_config, Environment(environ=fake_timedatectl(tmp_path, "no")))
    assert result.level == "WARN" and "set-ntp" in result.message
    [result] = doctor.check_clock(ops_config, Environment(environ=fake_timedatectl(tmp_path, "", rc=1)))
    assert result.level == "WARN"
    [result] = doctor.check_clock(ops_config, Environment(environ={"PATH": str(tmp_path / "nowhere")}))
    assert result.level == "WARN" and "no timedatectl" in result.message


# ----- wipe -----------------------------------------------------------------------------------
def test_a_failed_wipe_recorded_by_the_kiosk_is_a_failure(ops_config):
    from kiosk.privacy import WipeRegistry, write_wipe_status

    reg = WipeRegistry()
    reg.register("text inputs", lambda: None, lambda: False)
    reg.register("clipboard", lambda: None, lambda: True)
    write_wipe_status(ops_config.data_dir / "wipe-status.json", reg.wipe_all(), when=time.time())
    check = by_name(doctor.check_wipe(ops_config, env_without_display()))["wipe"]
    assert check.level == "FAIL" and "text inputs" in check.message and "clipboard" not in check.message


def test_a_verified_wipe_and_no_reset_yet_are_fine(ops_config):
    from kiosk.privacy import WipeRegistry, write_wipe_status

    assert doctor.check_wipe(ops_config, env_without_display())[0].level == "OK"
    reg = WipeRegistry()
    reg.register("text inputs", lambda: None, lambda: True)
    write_wipe_status(ops_config.data_dir / "wipe-status.json", reg.wipe_all(), when=time.time())
    assert doctor.check_wipe(ops_config, env_without_display())[0].level == "OK"


def test_content_says_how_many_procedures_are_due_for_review(ops_config, tmp_path):
    root = tmp_path / "content"
    (root / "procedures").mkdir(parents=True)
    shutil.copy(ASSETS_DIR / "content" / "categories.yaml", root)
    text = (ASSETS_DIR / "content" / "procedures" / "creer-adresse-email.yaml").read_text(encoding="utf-8")
    checked_on = next(line.split(": ")[1] for line in text.splitlines() if line.startswith("checked_on:"))
    (root / "procedures" / "creer-adresse-email.yaml").write_text(text, encoding="utf-8")
    cfg = replace(ops_config, kiosk=replace(ops_config.kiosk, content_dir=root))
    checked = datetime.fromisoformat(checked_on)
    next_day = checked.timestamp() + 86400
    [fresh] = doctor.check_content(cfg, Environment(now=lambda: next_day))
    assert fresh.level == "OK" and "none due for review" in fresh.message
    later = checked.replace(year=checked.year + 2).timestamp()
    [due] = doctor.check_content(cfg, Environment(now=lambda: later))
    assert due.level == "WARN"
    assert "1 due for review" in due.message and "creer-adresse-email" in due.message
