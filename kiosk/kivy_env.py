"""The environment Kivy reads when it is first imported, set before that happens.

Kivy reads `$KIVY_HOME/config.ini` at import and honours its [modules] section: a line
there turns on the inspector (Ctrl+E) or the screenshot module (F12), and that folder
is writable by the kiosk's user. The kiosk's whole Kivy configuration is made in code
(kiosk/app.py: configure_kivy), so no user configuration is read or written at all.
No Kivy import here: this must run before the first one.
"""

from __future__ import annotations

import os
from typing import MutableMapping

# Forced, whatever the environment says: these close doors.
FORCED = {"KIVY_NO_CONFIG": "1",   # neither read nor write $KIVY_HOME/config.ini
          "KIVY_NO_ARGS": "1"}     # the command line is ours, not Kivy's
# Defaults a developer may override (a log file while debugging, for example).
DEFAULTS = {"KIVY_NO_FILELOG": "1", "KIVY_LOG_MODE": "PYTHON",
            # SDL's X11 backend drops a click that comes within 10 ms of its window getting
            # focus. Under sway (guided browsing) the guide loses focus to the site when the
            # visitor touches it, so the first tap back on the guide did nothing (seen on the
            # real kiosk, docs/FIELD_NOTES.md). One tap, one answer.
            "SDL_MOUSE_FOCUS_CLICKTHROUGH": "1"}


def prepare_kivy_environment(environ: MutableMapping[str, str] = os.environ) -> None:
    environ.update(FORCED)
    for key, value in DEFAULTS.items():
        environ.setdefault(key, value)
