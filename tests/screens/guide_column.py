"""The guide's window beside the site under sway, at each text size: 512, 576, 640 px of a
1280×800 screen (kiosk/browser/columns.py). Shared by the column tests."""

from __future__ import annotations

from kiosk.browser.columns import GUIDE_SHARE_PPT
from kiosk.languages import LANGUAGES
from kiosk.theme import TEXT_SCALES

SCREEN = (1280, 800)
COLUMN_PX = [SCREEN[0] * share // 100 for share in GUIDE_SHARE_PPT]


def each_column(k):
    """Yields (language code, size index, scale) with the kiosk in that language and size and
    the window at that size's column; the window goes back to the widest column after."""
    from kivy.core.window import Window
    c = k.app.controller
    try:
        for lang in LANGUAGES:
            c.set_language(lang.code)
            for index, scale in enumerate(TEXT_SCALES):
                while k.machine.visit.text_scale_index != index:
                    c.cycle_text_size()
                Window.size = (COLUMN_PX[index], SCREEN[1])
                yield lang.code, index, scale
    finally:
        Window.size = (COLUMN_PX[-1], SCREEN[1])
