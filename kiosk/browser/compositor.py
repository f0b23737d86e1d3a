"""`kiosk run` with guided browsing, started outside the kiosk's sway (`scripts/run.sh
--config FILE` on a technician's machine): the kiosk starts sway around itself, the same
way pas-a-pas-browse.service does, so that the guide and the site are side by side.

It runs systemd/pas-a-pas-browse-session from this checkout: sway with the kiosk's own
config (systemd/sway/pas-a-pas.conf), which starts the site's keyboard and the kiosk
again inside it, and ends when the kiosk ends. sway picks its backend itself: a window of
the technician's desktop (X11 or Wayland), the screen from a text console, or none
(WLR_BACKENDS=headless, for a screenshot).

When it cannot (run as root, sway missing, no XDG_RUNTIME_DIR, a profile folder nobody
can make), one log line says why and the kiosk runs on its own: the sites show as QR
codes, as they do on a kiosk without guided browsing.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

HOME = Path(__file__).resolve().parents[2]
SESSION = HOME / "systemd" / "pas-a-pas-browse-session"
# What pas-a-pas-browse.service sets for its session, beside the paths.
SESSION_ENV = {"XDG_SESSION_TYPE": "wayland", "SDL_VIDEODRIVER": "x11", "SDL_VIDEO_X11_WMCLASS": "pas-a-pas"}


def inside_sway(environ) -> bool:
    return bool(environ.get("SWAYSOCK"))


def _writable_from(folder: Path) -> bool:
    """The folder can be made (or is there and writable) by this user."""
    while not folder.exists():
        folder = folder.parent
    return os.access(folder, os.W_OK | os.X_OK)


def sway_problem(profile_root: Path, environ, euid: int) -> str | None:
    """Why sway cannot be started here for guided browsing, in one line; None when it can."""
    if euid == 0:
        return "sway and Chromium do not run as root: run `scripts/run.sh --config FILE` as the kiosk's user"
    if shutil.which("sway", path=environ.get("PATH")) is None:
        return "sway is not installed (apt-get install sway xwayland wvkbd)"
    if not environ.get("XDG_RUNTIME_DIR"):
        return "XDG_RUNTIME_DIR is not set (sway needs it): log in on a console or a desktop session"
    if not _writable_from(profile_root):
        return (f"[browsing] profile_root {profile_root} cannot be made by this user: set it to a folder on a tmpfs "
                "you can write, such as /dev/shm/pas-a-pas-browser")
    return None


def session_environ(config_path: Path, runtime: Path, environ) -> dict[str, str]:
    return {**environ, **SESSION_ENV, "PAS_A_PAS_HOME": str(HOME), "PAS_A_PAS_CONFIG": str(config_path.resolve()),
            "RUNTIME_DIRECTORY": str(runtime)}


def run_in_sway(config_path: Path | None, profile_root: Path, environ=os.environ,
                euid: int | None = None) -> int | None:
    """The kiosk's exit status once it ran inside a sway started here; None when the caller
    should run the kiosk itself (already inside sway, or sway cannot start: logged)."""
    if inside_sway(environ) or config_path is None:
        return None
    problem = sway_problem(profile_root, environ, os.geteuid() if euid is None else euid)
    if problem is not None:
        log.warning("guided browsing: %s; the sites show as QR codes", problem)
        return None
    runtime = Path(tempfile.mkdtemp(prefix="pas-a-pas-run-"))
    log.info("guided browsing: starting sway with the kiosk's config (%s)", SESSION.name)
    try:
        return subprocess.run([str(SESSION)], env=session_environ(config_path, runtime, environ)).returncode
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
