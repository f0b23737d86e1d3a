"""Tell systemd the kiosk is ready and alive (sd_notify without a dependency).

The protocol is one UNIX datagram per message to $NOTIFY_SOCKET (a leading "@" names
an abstract socket). The `sdnotify` package is stale and encodes latin-1, so this is ours.
The app sends READY=1 once its first screen is drawn and WATCHDOG=1 from the UI thread's
clock every watchdog_period_s(), so a frozen UI stops feeding systemd and gets restarted.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)

# Exit status of `kiosk run` when a technician chose « Quitter vers le bureau »: the
# systemd unit does not restart the kiosk for it (RestartPreventExitStatus=64).
LEAVE_TO_DESKTOP_EXIT_STATUS = 64


def notify(message: str, socket_path: str | None = None) -> bool:
    """Send e.g. "READY=1" or "WATCHDOG=1"; False when not under systemd or not delivered."""
    path = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET", "")
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # Non-blocking: this runs on the UI thread and must never wait on systemd.
            sock.sendto(message.encode("utf-8"), socket.MSG_DONTWAIT, address)
        return True
    except OSError as e:
        log.warning("sd_notify to %s failed: %s", path, e.strerror or type(e).__name__)
        return False


def watchdog_period_s(environ: dict[str, str] | None = None) -> float | None:
    """How often to send WATCHDOG=1 (half of WatchdogSec=), or None when there is no watchdog.

    WATCHDOG_PID is deliberately not compared with our PID: the kiosk runs as a grandchild
    of the unit's main process (launcher, then cage), and the unit sets NotifyAccess=all.
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 2e6 if usec > 0 else None
