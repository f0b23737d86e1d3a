"""Whether every button's words fit their button, in every language, at the largest text size
on the smallest screen the kiosk supports (issue 15; `kiosk content validate --locales`).

A button's text wraps between words; a word wider than the button's text room is cut in two
(« informa/tions ») or, in the top bar, leaves the button with its icon alone. So each word of
each button text, drawn in the language's bold screen font at the largest text size, must
be no wider than that button's room.

The rooms are measured on the real window (1280×800, 15.6″: the smallest screen the kiosk is
laid out and tested for, and the default) on every screen a visitor reaches, at each text
size; the layout gives each button a share of the window, and the table keeps the narrowest.
tests/screens/test_locale_fit.py fails when a button is narrower than said here, or a button
said here is not found. Button texts without a room here (shown only with a browser, a
personal field, staff screens) are not checked by this rule; the screen walk of
tests/screens/test_large_text.py covers them in six languages.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kiosk import theme
from kiosk.content.problems import Problem
from kiosk.languages import BY_CODE, CODES, is_staff_key

SMALLEST_SCREEN = (1280, 800, 15.6)  # width px, height px, diagonal in
SCREENS_DIR = Path(__file__).resolve().parents[2] / "screens"
# Text room (px) of the buttons on SMALLEST_SCREEN, by the key of their text: the narrowest
# it has at any text size (an overlay's buttons stand side by side when its card is compact).
ROOM_PX = {
    "bar.home": 190, "bar.listen": 190, "bar.call_help": 297,
    "help.cancel": 332, "help.close": 332,
    "home.all_categories": 604, "home.search_clear": 329,
    "idle.continue": 332, "idle.more_time": 332,
    "leave.go": 844, "leave.stay": 844,
    "step.next": 541, "step.previous": 226,
    "summary.finish": 330, "summary.print": 382,
}


def button_keys(screens_dir: Path = SCREENS_DIR) -> list[str]:
    """The text keys the screens put on buttons (`label: app.t('…')` in kv, `label=app.t("…")`)."""
    files = sorted(screens_dir.glob("*.kv")) + sorted(screens_dir.glob("*.py"))
    code = "".join(p.read_text(encoding="utf-8") for p in files)
    return sorted(set(re.findall(r"label(?:: |=)app\.t\(['\"]([a-z_.]+)['\"]", code)))


def largest_body_px() -> int:
    width, height, diagonal = SMALLEST_SCREEN
    return int(theme.Metrics.for_screen(width, height, diagonal, theme.TEXT_SCALES[-1]).body_px)


@lru_cache(maxsize=8)
def _bold_font(language: str, size_px: int):
    from PIL import ImageFont

    path = theme.font_path(BY_CODE[language].screen_fonts[1])
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.RAQM)


def word_width_px(word: str, language: str, size_px: int) -> float:
    direction = "rtl" if BY_CODE[language].direction == "rtl" else "ltr"
    return _bold_font(language, size_px).getlength(word, direction=direction)


def fit_problems(locales_dir: Path, languages: tuple[str, ...] = CODES) -> list[Problem]:
    """One problem per button word wider than its button, in each language's own texts."""
    from kiosk.i18n import Catalog

    size_px = largest_body_px()
    problems = []
    for code in languages:
        catalog = Catalog(code, locales_dir)
        for key, room in sorted(ROOM_PX.items()):
            if code != "fr" and is_staff_key(key):
                continue
            for word in catalog(key).split():
                width = word_width_px(word, code, size_px)
                if width > room:
                    problems.append(Problem(Path(locales_dir) / code, 1, "locale-fit",
                                            f"{key}: « {word} » is {width:.0f} px wide at the largest text size, "
                                            f"its button has {room} px on a {SMALLEST_SCREEN[0]}×{SMALLEST_SCREEN[1]} "
                                            "screen: a shorter word, or a line break between words"))
    return problems
