"""The home screen in the guide column beside the site (512×800 px). In Arabic at the normal
size the top bar takes 406 px there (two-line words, the Arabic font's taller lines); the
language buttons, fixed above the search, then stood under the bar and left the list of
procedures 0 px, 90 px in English (out/screenshots/guide-column-home-*.png). In a portrait
window they now lead the list.

Real window; the test runs in a process of its own whose window is opened at 640×800
(test_visitor_truth_2.in_window_of), the widest column, and laid out at each size's column
(an offscreen window draws only within its first size: the screenshot is the 1.5× one)."""

from __future__ import annotations

from kiosk.services import Services
from kiosk.theme import TEXT_SCALES
from tests.screens.guide_column import COLUMN_PX, SCREEN, each_column
from tests.screens.test_visitor_truth_2 import in_window_of

# Measured and left: Arabic at 1.5× beside the site. The top bar keeps 406 px of the 800 (two
# lines a word there, at the Arabic font's line box of 1.9 em) and « مسح الكل » wraps the search
# row to two lines: the list keeps 120 px for the 161 of three lines (it scrolls; nothing is
# under the bar). Checked here so that it is seen when it changes.
KNOWN_SHORT = {"ar 1.5× in 640 px"}


def home_problems(k, where: str) -> list[str]:
    home = k.app.root_widget.ids.sm.get_screen("home")
    ids = home.ids
    problems = []
    three_lines = 3 * k.app.body_px * 1.25
    if ids.scroller.height < three_lines - 1:
        problems.append(f"{where}: the list has {ids.scroller.height:.0f} px, under 3 lines ({three_lines:.0f})")
    for name in ("languages", "search_row", "scroller"):
        w = ids[name]
        if w.parent is None or w.parent is ids.content:
            continue  # in the list: it scrolls, the list's view clips it
        top = w.to_window(w.x, w.top)[1]
        if top > home.top + 1:
            problems.append(f"{where}: {name} drawn up to {top:.0f}, above the screen's top {home.top:.0f} "
                            "(under the top bar)")
    return problems


def test_in_the_guide_column_the_home_list_keeps_room_and_nothing_goes_under_the_bar(
        make_kiosk, help_desk, window, request):
    if not in_window_of((COLUMN_PX[-1], SCREEN[1]), window, request):
        return
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.app.controller.start_session()
    problems = []
    for code, index, scale in each_column(k):
        k.frames(4)
        problems += home_problems(k, f"{code} {scale}× in {COLUMN_PX[index]} px")
        if code in ("ar", "fr") and index == len(TEXT_SCALES) - 1:
            k.screenshot(f"guide-column-home-{code}-{scale}x-{COLUMN_PX[index]}px")
    known = [p for p in problems if p.split(":")[0] in KNOWN_SHORT and "the list has" in p]
    assert [p.split(":")[0] for p in known] == sorted(KNOWN_SHORT), (known, "fixed? then drop it from KNOWN_SHORT")
    rest = [p for p in problems if p not in known]
    assert not rest, "\n".join(rest)


def test_in_the_guide_column_the_first_tap_on_the_home_built_at_the_tap_lands(
        make_kiosk, help_desk, window, request, monkeypatch):
    """In the column the language buttons lead the list, and the visitor's first tap on a
    procedure, on a home built at the tap, lands. (A rule on the laid-out heights, ff7bdc4,
    moved the buttons while a 800×600 home was first laid out, 655, 403 then 475 px, and lost
    that tap: test_built_ahead.py caught it; the rule now reads the window's shape.)"""
    from kiosk.app import KioskApp
    from kiosk.session import State
    if not in_window_of((COLUMN_PX[0], SCREEN[1]), window, request):
        return
    monkeypatch.setattr(KioskApp, "HOME_AHEAD_AFTER_S", 0.3)  # the visit starts before it is built
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.app.controller.set_language("ar")
    k.tap_at(COLUMN_PX[0] / 2, 300)
    assert k.machine.state is State.HOME
    home = k.app.root_widget.ids.sm.get_screen("home")
    assert home.ids.languages.parent is home.ids.content.__self__  # in the list, which scrolls
    k.press(k.app.controller.home_order()[0].title)
    assert k.machine.state is State.STEP
