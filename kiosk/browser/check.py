"""What `kiosk doctor` says about guided browsing: one line per part, never a traceback.

Chromium installed, the managed policy installed and current, sway running, the site's
on-screen keyboard and the program that shows it, the profile root on a tmpfs where the
kiosk can make and delete visit folders. Each fault also says
what the visitor gets meanwhile: the QR code path (the kiosk refuses to start Chromium
without a current policy, see BrowserSession's preflight).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kiosk.browser.allowlist import parse_extra
from kiosk.browser.policy import build_policy, installed_state
from kiosk.browser.session import VISIT_PREFIX, processes_naming

QR = "visitors get QR codes meanwhile"
CHROMIUM_LOCALES = Path("/usr/lib/chromium/locales")  # Debian's chromium-l10n


def policy_problem(policy_file: Path, allow_extra: str) -> str | None:
    """None when the installed policy is what this kiosk would write, else one line."""
    state = installed_state(policy_file, build_policy(parse_extra(allow_extra)))
    if state == "current":
        return None
    what = {"missing": "is not installed", "stale": "differs from this kiosk's allow-list",
            "unreadable": "cannot be read"}[state]
    return f"{policy_file} {what}: run `sudo kiosk browser policy`"


def _mount_type(path: Path, mounts_file: Path) -> str:
    best, kind = "", "?"
    try:
        lines = mounts_file.read_text().splitlines()
    except OSError:
        return kind
    target = str(path.resolve())
    for line in lines:
        parts = line.split()
        if len(parts) >= 3:
            point = parts[1].replace("\\040", " ")
            if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
                best, kind = point, parts[2]
    return kind


def _sway_pids(proc: Path) -> list[int]:
    pids = []
    for entry in proc.glob("[0-9]*"):
        try:
            if (entry / "comm").read_text().strip() == "sway":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _follower_running(proc: Path) -> bool:
    for entry in proc.glob("[0-9]*"):
        try:
            if b"osk_follow.py" in (entry / "cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def _keyboard_line(environ: dict, proc: Path, sway_running: bool) -> tuple[str, str, str]:
    name = "on-screen keyboard"
    if not shutil.which("wvkbd-mobintl", path=environ.get("PATH")):
        return (name, "FAIL", "wvkbd-mobintl not found: apt-get install wvkbd; visitors cannot type on the site")
    if not sway_running:
        return (name, "OK", "wvkbd found; osk_follow.py, which shows it, is started by sway (not running now)")
    if not _follower_running(proc):
        return (name, "WARN", "osk_follow.py is not running: the keyboard will not show with the site's "
                              "fields; check the exec lines of systemd/sway/pas-a-pas.conf")
    return (name, "OK", "wvkbd found; osk_follow.py running: the keyboard shows while a field of the site has focus")


def browsing_lines(cfg, environ: dict, *, proc: Path = Path("/proc"), mounts_file: Path = Path("/proc/mounts"),
                   chromium_locales: Path = CHROMIUM_LOCALES) -> list[tuple[str, str, str]]:
    """(name, OK | WARN | FAIL, message) for each part of guided browsing."""
    b = cfg.browsing
    if not b.enabled:
        return [("browsing", "OK", "guided browsing off ([browsing] enabled = false): sites are shown as QR codes")]
    lines = []
    chromium = shutil.which(b.chromium, path=environ.get("PATH")) if "/" not in b.chromium else (
        b.chromium if os.access(b.chromium, os.X_OK) else None)
    lines.append(("browser", "OK", f"{chromium} found") if chromium else
                 ("browser", "FAIL", f"{b.chromium} not found: apt-get install chromium; {QR}"))
    if chromium and not (chromium_locales / "fr.pak").exists():
        lines.append(("browser language", "WARN",
                      f"{chromium_locales}/fr.pak missing: Chromium's own pages (« site inaccessible ») "
                      "show in English; apt-get install chromium-l10n"))
    problem = policy_problem(b.policy_file, b.allow_extra)
    lines.append(("browser policy", "FAIL", f"{problem}; {QR}") if problem else
                 ("browser policy", "OK", f"{b.policy_file} is current"))
    sway = _sway_pids(proc)
    lines.append(("compositor", "OK", f"sway is running (pid {sway[0]})") if sway else
                 ("compositor", "WARN", "sway is not running: the browser has no screen to open on; start the "
                                        f"pas-a-pas-browse service (docs/DEPLOYMENT.md); {QR}"))
    lines.append(_keyboard_line(environ, proc, bool(sway)))
    lines.append(_profile_line(b.profile_root.expanduser(), mounts_file))
    return lines


def _profile_line(root: Path, mounts_file: Path) -> tuple[str, str, str]:
    name = "browser profiles"
    where = root if root.exists() else root.parent
    if not where.is_dir():
        return (name, "FAIL", f"{root.parent} does not exist: set [browsing] profile_root to a tmpfs folder "
                              f"(RuntimeDirectory= in the unit makes /run/pas-a-pas); {QR}")
    if not os.access(where, os.W_OK | os.X_OK):
        return (name, "FAIL", f"{where} is not writable: visit folders cannot be made or deleted there; "
                              f"give it to the kiosk user; {QR}")
    folders = [p for p in root.iterdir() if p.name.startswith(VISIT_PREFIX)] if root.is_dir() else []
    # A folder a running browser names is the current visit's, or the next visitor's
    # browser started ahead at reset: not a leftover.
    left = [p for p in folders if not processes_naming(f"{p}/")]
    kind = _mount_type(where, mounts_file)
    if kind not in ("tmpfs", "ramfs"):
        return (name, "WARN", f"{root} is on {kind}, not a tmpfs: a power cut would leave a visit's profile "
                              "on disk; set [browsing] profile_root under /run")
    if left:
        return (name, "WARN", f"{len(left)} visit folder(s) left in {root} by a kiosk that stopped: "
                              "deleted at the kiosk's next start")
    return (name, "OK", f"{root} on tmpfs, writable")
