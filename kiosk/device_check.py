"""Is a configured device file there and usable? One answer for `kiosk doctor` and the channels.

Existence, type and permissions only: opening a serial port toggles DTR, which resets some
call buttons and lamps, and the running kiosk may hold the port exclusively.
"""

from __future__ import annotations

import os
import stat


def check_device_file(path: str, key: str) -> tuple[str, str]:
    """(OK | FAIL, one line naming the path, the config key and what to do)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "FAIL", (f"{path} not found ({key}): plug the device in or fix the path; "
                        "see `ls -l /dev/serial/by-id/`")
    except OSError as e:
        return "FAIL", f"{path} cannot be looked at ({key}): {type(e).__name__}"
    if not stat.S_ISCHR(mode):
        return "FAIL", f"{path} is not a serial device ({key})"
    if not os.access(path, os.R_OK | os.W_OK):
        return "FAIL", f"no read/write permission on {path} ({key}): add the kiosk user to group dialout"
    return "OK", f"{path} present and writable ({key}; not opened: the running kiosk holds it)"
