"""Kivy screens: each shows a part of the session machine's state and holds no logic.

Every screen has a .py (widget class, `show(machine)`) and a .kv (layout). They reach the
app's services only through `self.app` (the running KioskApp): the machine to act on, the
translation function `t`, sizes and colours.
"""

from pathlib import Path

KV_DIR = Path(__file__).resolve().parent
