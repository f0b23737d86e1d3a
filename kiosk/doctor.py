"""`kiosk doctor`: check every part a kiosk needs, one line each, with what to do.

Each check returns OK, WARN (the kiosk runs, but something is degraded) or FAIL (fix it
before opening the kiosk). A check never hangs: device reads and probes run with
timeouts, and a check that crashes is reported as FAIL instead of stopping the others.
Doctor only reads: it may run as root while the kiosk runs as its own user, so it must not
create files in the kiosk's data_dir.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Callable, Literal, Mapping, Protocol

from kiosk.config import ASSETS_DIR, Config
from kiosk.device_check import check_device_file

log = logging.getLogger(__name__)

Level = Literal["OK", "WARN", "FAIL"]

DISK_WARN_MB = 500
DISK_FAIL_MB = 50
MIN_YEAR = 2026
DISPLAY_PROBE_TIMEOUT_S = 30.0
DEVICE_CHECK_GRACE_S = 5.0  # on top of the I/O timeout given to the printer and channels
HELP_CHECK_TIMEOUT_S = 30.0


@dataclass
class CheckResult:
    name: str
    level: Level
    message: str

    def line(self) -> str:
        return f"{self.level:<4} {self.name}: {self.message}"


class HelpDeskCheck(Protocol):
    """What doctor needs of kiosk.helpcall.HelpCallService: a look at each channel, then close."""

    def dry_run(self) -> list[tuple[str, str, str]]: ...

    def close(self) -> None: ...


PrinterCheck = Callable[[Config, float], tuple[str, str]]   # (cfg, timeout_s) -> (level, message)
HelpDeskFactory = Callable[[Config], HelpDeskCheck]


def real_printer_check(cfg: Config, timeout_s: float) -> tuple[str, str]:
    from hardware.printer import check_printer  # the printer stack loads only when it is checked
    return check_printer(cfg, timeout_s)


def real_help_desk(cfg: Config) -> HelpDeskCheck:
    from kiosk.helpcall import HelpCallService
    return HelpCallService(cfg)


@dataclass
class Environment:
    """What the checks read from the machine and the services they ask; tests replace parts of it."""

    environ: Mapping[str, str] = None  # type: ignore[assignment]
    now: Callable[[], float] = time.time
    fonts_dir: Path = ASSETS_DIR / "fonts"
    python: str = sys.executable
    disk_usage: Callable[[Path], tuple] = shutil.disk_usage  # a full disk cannot be made on demand
    printer_check: PrinterCheck = real_printer_check
    help_desk_factory: HelpDeskFactory = real_help_desk

    def __post_init__(self):
        if self.environ is None:
            self.environ = dict(os.environ)


# ----- helpers ----------------------------------------------------------------------------
def _with_timeout(fn: Callable[[], object], timeout_s: float) -> tuple[bool, object]:
    """Run fn in a daemon thread; (False, None) when it does not finish in time."""
    box: dict[str, object] = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # reported by the caller, never raised through doctor
            box["error"] = e

    worker = threading.Thread(target=target, name="doctor-check", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        return False, None
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return True, box.get("value")


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


# ----- checks -----------------------------------------------------------------------------
def check_config(cfg: Config, env: Environment) -> list[CheckResult]:
    results = [CheckResult("config", "OK", f"{cfg.source} loaded")]
    data_dir = cfg.data_dir
    if data_dir.is_dir():
        if os.access(data_dir, os.W_OK | os.X_OK):
            results.append(CheckResult("data dir", "OK", f"{data_dir} is writable"))
        else:
            results.append(CheckResult("data dir", "FAIL", f"{data_dir} is not writable: "
                                       "give it to the kiosk user (chown) or set [kiosk] data_dir"))
    elif data_dir.exists():
        results.append(CheckResult("data dir", "FAIL", f"{data_dir} is not a folder: set [kiosk] data_dir"))
    else:
        parent = _existing_ancestor(data_dir)
        level: Level = "WARN" if os.access(parent, os.W_OK) else "FAIL"
        cannot = f", but cannot write in {parent}: create it for the kiosk user"
        results.append(CheckResult("data dir", level, f"{data_dir} does not exist yet; the kiosk creates it"
                                   + ("" if level == "WARN" else cannot)))
    return results


def check_pins(cfg: Config, env: Environment) -> list[CheckResult]:
    from kiosk.pin import parse_hash
    c = cfg.conseiller
    for key in ("pin_hash", "technician_pin_hash"):
        value = getattr(c, key)
        if value and parse_hash(value) is None:
            return [CheckResult("conseiller PIN", "FAIL", f"[conseiller] {key} is not a hash: "
                                "make one with `kiosk pin hash` and paste the whole line")]
    if not c.pin_hash and not c.technician_pin_hash:
        return [CheckResult("conseiller PIN", "WARN", "no PIN set, conseiller mode is off: "
                            "run `kiosk pin hash` and set [conseiller] pin_hash")]
    which = [name for name, value in (("conseiller", c.pin_hash), ("technician", c.technician_pin_hash)) if value]
    return [CheckResult("conseiller PIN", "OK", " and ".join(which) + " PIN set")]


def check_content(cfg: Config, env: Environment) -> list[CheckResult]:
    from kiosk.content.loader import ContentError, load_pack
    root = cfg.kiosk.content_dir
    try:
        pack = load_pack(root)
    except ContentError as e:
        first = e.problems[0] if e.problems else str(e)
        return [CheckResult("content", "FAIL", f"{len(e.problems)} problem(s), first: {first}; "
                            f"see `kiosk content validate {root}`")]
    from kiosk.content.validate import REVIEW_AFTER_MONTHS, due_for_review
    due = due_for_review(pack.procedures.values(), datetime.fromtimestamp(env.now()).date())
    summary = f"{root}: {len(pack.procedures)} procedures, {len(pack.categories)} categories"
    if due:
        shown = ", ".join(p.id for p in due[:5]) + (", …" if len(due) > 5 else "")
        return [CheckResult("content", "WARN", f"{summary}; {len(due)} due for review (facts checked more than "
                            f"{REVIEW_AFTER_MONTHS} months ago or never): {shown}; see `kiosk content validate`")]
    return [CheckResult("content", "OK", f"{summary}; none due for review")]


def check_fonts(cfg: Config, env: Environment) -> list[CheckResult]:
    from PIL import ImageFont
    fonts = sorted(env.fonts_dir.glob("*.ttf"))
    if not fonts:
        return [CheckResult("fonts", "FAIL", f"no .ttf file in {env.fonts_dir}: reinstall the kiosk's assets")]
    broken = []
    for path in fonts:
        try:
            ImageFont.truetype(str(path), 24)
        except OSError:
            broken.append(path.name)
    if broken:
        return [CheckResult("fonts", "FAIL",
                            f"cannot load {', '.join(broken)} in {env.fonts_dir}: reinstall the kiosk's assets")]
    return [CheckResult("fonts", "OK", f"{len(fonts)} fonts load from {env.fonts_dir}")]


# Run in a separate process with a timeout: opening a window can hang on a broken GPU
# driver, and doctor itself must never import Kivy (kiosk/ stays Kivy-free).
_DISPLAY_PROBE = ("import sys\n"
                  "from kivy.core.window import Window\n"
                  "sys.exit(0 if Window is not None else 3)\n")


def check_display(cfg: Config, env: Environment) -> list[CheckResult]:
    shown = env.environ.get("WAYLAND_DISPLAY") or env.environ.get("DISPLAY")
    gpus = sorted(p.name for p in Path("/dev/dri").glob("card*")) if Path("/dev/dri").is_dir() else []
    with tempfile.TemporaryDirectory(prefix="kiosk-doctor-") as kivy_home:
        probe_env = dict(env.environ, KIVY_NO_ARGS="1", KIVY_HOME=kivy_home, KIVY_NO_FILELOG="1",
                         KIVY_NO_CONSOLELOG="1", KIVY_USE_DEFAULTCONFIG="1")
        if env.environ.get("DISPLAY"):
            # Otherwise SDL silently falls back to an offscreen window when X is not there.
            probe_env.setdefault("SDL_VIDEODRIVER", "x11")
        try:
            done = subprocess.run([env.python, "-c", _DISPLAY_PROBE], env=probe_env, capture_output=True,
                                  timeout=DISPLAY_PROBE_TIMEOUT_S, cwd=kivy_home)
            opened = done.returncode == 0
        except subprocess.TimeoutExpired:
            return [CheckResult("display", "FAIL", f"opening a window hung for {DISPLAY_PROBE_TIMEOUT_S:.0f} s: "
                                "check the graphics driver (Mesa: libgl1-mesa-dri libegl1)")]
    if not opened:
        return [CheckResult("display", "FAIL", "Kivy cannot open a window"
                            + (f" on {shown}" if shown else "")
                            + ": install libgl1-mesa-dri libegl1 libgles2 and check the screen cable")]
    if shown:
        return [CheckResult("display", "OK", f"a window opens on {shown}")]
    where = f"graphics device {', '.join(gpus)} present" if gpus else "no /dev/dri graphics device seen"
    level: Level = "OK" if gpus else "WARN"
    return [CheckResult("display", level, f"no display in this shell (normal over ssh); an offscreen window "
                        f"opens; {where}" + ("" if gpus else ": check the graphics driver"))]


def check_touch(cfg: Config, env: Environment) -> list[CheckResult]:
    settings = cfg.input
    if settings.provider == "mouse":
        if cfg.kiosk.fullscreen:
            return [CheckResult("touch", "WARN", "[input] provider = \"mouse\" on a full-screen kiosk: "
                                "set provider = \"hidinput\" and touch_device for a touch screen")]
        return [CheckResult("touch", "OK", "mouse input (development)")]
    device = Path(settings.touch_device)
    if not device.exists():
        return [CheckResult("touch", "FAIL", f"{device} not found: see `ls -l /dev/input/by-id/` "
                            "and set [input] touch_device")]
    if not os.access(device, os.R_OK):
        return [CheckResult("touch", "FAIL", f"{device} is not readable: add the kiosk user to group input")]
    return [CheckResult("touch", "OK", f"{settings.provider} on {device}")]


def check_printer(cfg: Config, env: Environment) -> list[CheckResult]:
    timeout_s = cfg.printer.io_timeout_s
    finished, answer = _with_timeout(lambda: env.printer_check(cfg, timeout_s), timeout_s + DEVICE_CHECK_GRACE_S)
    if not finished:
        return [CheckResult("printer", "FAIL", f"no answer within {timeout_s + DEVICE_CHECK_GRACE_S:.0f} s: "
                            "check the cable, the power and [printer] connection")]
    level, message = answer  # type: ignore[misc]
    return [CheckResult("printer", level, message)]


def _serial_devices(cfg: Config) -> list[tuple[str, str]]:
    """("[section] key", path) of every configured serial device in use, but the call lamp:
    the help-call check reports it, as one of the channels (one line per device)."""
    found = []
    for section_field in fields(cfg):
        section = getattr(cfg, section_field.name)
        if not hasattr(section, "__dataclass_fields__") or section_field.name in ("input", "helpcall"):
            continue
        if getattr(section, "enabled", True) is False or getattr(section, "connection", None) == "none":
            continue
        for f in fields(section):
            value = getattr(section, f.name)
            if not (f.name.endswith(("device", "port")) and isinstance(value, str) and value.startswith("/")):
                continue
            if section_field.name == "printer" and cfg.printer.connection != "serial":
                continue
            found.append((f"[{section_field.name}] {f.name}", value))
    return found


def check_serial(cfg: Config, env: Environment) -> list[CheckResult]:
    devices = _serial_devices(cfg)
    if not devices:
        lamp = " besides the call lamp (see « help call lamp »)" if cfg.helpcall.lamp_device else ""
        return [CheckResult("serial", "OK", "no serial device in use" + lamp)]
    return [CheckResult(f"serial {path}", *check_device_file(path, key)) for key, path in devices]


def check_help_channels(cfg: Config, env: Environment) -> list[CheckResult]:
    def dry_run():
        service = env.help_desk_factory(cfg)
        try:
            return list(service.dry_run())
        finally:
            service.close()

    finished, answers = _with_timeout(dry_run, HELP_CHECK_TIMEOUT_S)
    if not finished:
        return [CheckResult("help call", "FAIL", f"the channels did not answer within {HELP_CHECK_TIMEOUT_S:.0f} s")]
    if not answers:
        return [CheckResult("help call", "WARN", "no channel configured: a visitor's call reaches nobody")]
    return [CheckResult(f"help call {channel}", level, message)  # type: ignore[arg-type]
            for channel, level, message in answers]


def check_stats(cfg: Config, env: Environment) -> list[CheckResult]:
    path = cfg.data_path(cfg.stats.db_file)
    if not path.exists():
        return [CheckResult("statistics", "OK", f"{path} will be created at first use")]
    # immutable=1: read without creating -wal/-shm files as whoever runs doctor.
    try:
        db = sqlite3.connect(f"file:{path}?immutable=1", uri=True, timeout=2)
        try:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            days = db.execute("SELECT COUNT(DISTINCT day) FROM counts").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as e:
        return [CheckResult("statistics", "FAIL",
                            f"{path} cannot be read ({e}): move it aside, the kiosk starts a new one")]
    if verdict != "ok":
        return [CheckResult("statistics", "FAIL", f"{path} is damaged: move it aside, the kiosk starts a new one")]
    return [CheckResult("statistics", "OK", f"{path}: {days} days of figures")]


def check_wipe(cfg: Config, env: Environment) -> list[CheckResult]:
    """The last reset's verified wipe, as the running kiosk recorded it (names only)."""
    from kiosk.privacy import read_wipe_status

    path = cfg.data_dir / "wipe-status.json"
    status = read_wipe_status(path)
    if status is None:
        return [CheckResult("wipe", "OK", "no reset recorded yet")]
    when = datetime.fromtimestamp(status.get("at", 0)).strftime("%Y-%m-%d %H:%M")
    if status.get("clean"):
        return [CheckResult("wipe", "OK", f"last reset {when}: every holder verified empty")]
    left = ", ".join(name for name, ok in status.get("holders", {}).items() if not ok) or "?"
    return [CheckResult("wipe", "FAIL", f"last reset {when} left data in: {left}; the kiosk takes no new "
                        "visitor until a wipe passes: restart it (Redémarrer), and report it if it comes back")]


def check_disk(cfg: Config, env: Environment) -> list[CheckResult]:
    where = _existing_ancestor(cfg.data_dir)
    free_mb = env.disk_usage(where).free / 1e6
    message = f"{free_mb:,.0f} MB free in {where}".replace(",", " ")
    if free_mb < DISK_FAIL_MB:
        return [CheckResult("disk", "FAIL", message + f" (under {DISK_FAIL_MB} MB): free some space")]
    if free_mb < DISK_WARN_MB:
        return [CheckResult("disk", "WARN", message + f" (under {DISK_WARN_MB} MB): free some space soon")]
    return [CheckResult("disk", "OK", message)]


def check_clock(cfg: Config, env: Environment) -> list[CheckResult]:
    now = datetime.fromtimestamp(env.now())
    if now.year < MIN_YEAR:
        return [CheckResult("clock", "FAIL", f"the date is {now:%Y-%m-%d}: set the clock "
                            "(timedatectl set-ntp true, or check the BIOS battery)")]
    timedatectl = shutil.which("timedatectl", path=env.environ.get("PATH"))
    if not timedatectl:
        return [CheckResult("clock", "WARN",
                            f"{now:%Y-%m-%d %H:%M}; cannot tell if it is synchronised (no timedatectl)")]
    try:
        done = subprocess.run([timedatectl, "show", "-p", "NTPSynchronized", "--value"], capture_output=True,
                              text=True, timeout=5, env=dict(env.environ))
    except subprocess.TimeoutExpired:
        done = None
    if done is None or done.returncode != 0:
        return [CheckResult("clock", "WARN", f"{now:%Y-%m-%d %H:%M}; timedatectl did not answer, "
                            "cannot tell if it is synchronised")]
    if done.stdout.strip() != "yes":
        return [CheckResult("clock", "WARN", f"{now:%Y-%m-%d %H:%M} but not synchronised: "
                            "run `timedatectl set-ntp true` and check the network")]
    return [CheckResult("clock", "OK", f"{now:%Y-%m-%d %H:%M}, synchronised")]


def check_browsing(cfg: Config, env: Environment) -> list[CheckResult]:
    """Guided browsing: Chromium, its managed policy, sway, the per-visit profile folder."""
    from kiosk.browser.check import browsing_lines
    return [CheckResult(name, level, message)  # type: ignore[arg-type]
            for name, level, message in browsing_lines(cfg, dict(env.environ))]


def _when(at: float | None) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M") if at else "never"


def _pack_line(cfg: Config, env: Environment) -> CheckResult:
    from kiosk.updates.client import current_pack_info, trusted_expiry

    info = current_pack_info(cfg)
    if not info:
        return CheckResult("content pack", "OK", f"the pack shipped with the install ({cfg.kiosk.content_dir}); "
                           "no signed pack received yet")
    signed = info.get("signed_at") or ""
    try:
        age = f"signed {(env.now() - datetime.fromisoformat(signed).timestamp()) / 86400:.0f} days ago"
    except ValueError:
        age = "signing date unknown"
    expires = trusted_expiry(cfg)
    head = f"signed pack {info.get('version', '?')} (sha256 {str(info.get('sha256', ''))[:12]})"
    if expires is not None and expires < env.now():
        return CheckResult("content pack", "WARN", f"{head}, {age}; its signed metadata expired on "
                           f"{_when(expires)}: no newer pack can be verified until the kiosk reaches the repository")
    return CheckResult("content pack", "OK", f"{head}, signature verified before use, {age}")


def check_updates(cfg: Config, env: Environment) -> list[CheckResult]:
    """The signed pack in use (version, signature, age) and the last update check."""
    from kiosk.updates.client import read_status

    u = cfg.updates
    if not u.enabled:
        return [CheckResult("content update", "OK", "off ([updates] enabled = false): the pack shipped with "
                            "the install is used")]
    if not u.url:
        return [CheckResult("content update", "FAIL", "[updates] enabled but url is empty: set it or disable")]
    results = [_pack_line(cfg, env)]
    if not u.trusted_root.is_file():
        results.append(CheckResult("content update", "FAIL", f"{u.trusted_root} not found: install the "
                                   "repository's root.json there or set [updates] trusted_root"))
        return results
    status = read_status(cfg)
    result, message, at = status.get("result"), status.get("message", ""), status.get("at")
    if result is None:
        results.append(CheckResult("content update", "WARN", "no check yet: run `kiosk update check`"))
    elif result in ("unchanged", "new"):
        results.append(CheckResult("content update", "OK", f"last check {_when(at)}: {message}"))
    elif result == "offline":
        results.append(CheckResult("content update", "WARN", f"offline, last check {_when(at)}, last success "
                                   f"{_when(status.get('last_ok_at'))}: {message}"))
    else:
        results.append(CheckResult("content update", "WARN", f"last check {_when(at)} {result}: {message}"))
    return results


CHECKS: tuple[Callable[[Config, Environment], list[CheckResult]], ...] = (
    check_config, check_pins, check_content, check_updates, check_fonts, check_display, check_touch, check_printer,
    check_serial, check_help_channels, check_stats, check_wipe, check_disk, check_clock, check_browsing)


def run_checks(cfg: Config, env: Environment | None = None) -> list[CheckResult]:
    env = env or Environment()
    results: list[CheckResult] = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_").replace("_", " ")
        try:
            results.extend(check(cfg, env))
        except Exception as e:  # one broken check must not hide the others
            log.debug("check %s crashed", name, exc_info=True)
            results.append(CheckResult(name, "FAIL", f"the check itself failed ({type(e).__name__}); "
                                       "run `kiosk -v doctor` for details"))
    return results
