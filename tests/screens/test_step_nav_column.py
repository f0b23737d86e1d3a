"""« Précédent » and « Suivant » in the guide column beside the site (512×800 px). At 1.25× and
1.5× the two buttons side by side cut « Précédent », « Siguiente » or « السابق » in two
(« Précéd/ent »), and the row kept the height of one target while its buttons grew: they
were drawn over the step's last lines (out/screenshots/guide-column-fr-1.5x-step.png).

Real window, real taps; the test runs in a process of its own whose window is opened at
512×800 (test_visitor_truth_2.in_window_of)."""

from __future__ import annotations

import pytest

from kiosk.languages import LANGUAGES
from kiosk.services import Services
from kiosk.session import State
from kiosk.theme import MIN_TARGET_MM, TEXT_SCALES
from tests.screens.guide_column import COLUMN_PX, SCREEN, each_column
from tests.screens.test_visitor_truth_2 import _rendered_words, in_window_of

GUIDE_COLUMN = (512, 800)
PROCEDURE = "ameli-creer-compte"


def nav_problems(k, where: str) -> list[str]:
    """What is wrong with the step's Précédent / Suivant row as it is drawn now."""
    ids = k.app.root_widget.ids.sm.get_screen("step").ids
    nav, scroller = ids.nav_row, ids.scroller
    mm = k.app.metrics.mm
    problems = []
    for b in (ids.previous_button, ids.next_button):
        rendered = _rendered_words(b)
        if rendered != b.label.split():
            problems.append(f"{where}: {b.label!r} drawn as {rendered}")
        if min(b.width, b.height) < mm(MIN_TARGET_MM) - 1:
            problems.append(f"{where}: {b.label!r} {b.width:.0f}×{b.height:.0f} px, under 15 mm")
        if b.top > nav.top + 1 or b.y < nav.y - 1:
            problems.append(f"{where}: {b.label!r} drawn outside its row ({b.y:.0f}-{b.top:.0f} in "
                            f"{nav.y:.0f}-{nav.top:.0f})")
    heights = {round(b.height) for b in (ids.previous_button, ids.next_button)}
    if nav.orientation == "horizontal" and len(heights) > 1:
        problems.append(f"{where}: side by side, one button taller than the other {sorted(heights)}")
    if nav.top > scroller.y + 1:
        problems.append(f"{where}: the buttons' row (top {nav.top:.0f}) over the step's text (bottom {scroller.y:.0f})")
    return problems


def to_home(k) -> None:
    c = k.app.controller
    c.go_home()
    if k.machine.visit.leave_asked:
        c.answer_leave(True)
    k.frames(2)
    assert k.machine.state is State.HOME, k.machine.state


@pytest.fixture
def kiosk(make_kiosk, help_desk):
    return make_kiosk(Services(printer=None, helpcall=help_desk))


def test_in_the_guide_column_previous_and_next_show_whole_words_in_their_row(make_kiosk, help_desk, window,
                                                                           request):
    if not in_window_of(GUIDE_COLUMN, window, request):
        return
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    c = k.app.controller
    problems, stacked = [], []
    c.start_session()
    for lang in LANGUAGES:
        c.set_language(lang.code)
        for index, scale in enumerate(TEXT_SCALES):
            while k.machine.visit.text_scale_index != index:
                c.cycle_text_size()
            c.open_procedure(PROCEDURE)
            c.next()
            k.frames(4)
            assert k.machine.state is State.STEP
            problems += nav_problems(k, f"{lang.code} {scale}×")
            nav = k.app.root_widget.ids.sm.get_screen("step").ids.nav_row
            if nav.orientation == "vertical":
                stacked.append(f"{lang.code} {scale}×")
            to_home(k)
    print("stacked:", stacked)
    assert not problems, "\n".join(problems)
    # At the normal size the two stay side by side: the row is one target high.
    assert not [s for s in stacked if s.endswith(f" {TEXT_SCALES[0]}×")], stacked


def test_landscape_keeps_previous_and_next_side_by_side(kiosk):
    """At 1280×800 and 1.5× there is room: one row, and the words whole."""
    k = kiosk
    c = k.app.controller
    c.start_session()
    while k.machine.visit.text_scale_index != len(TEXT_SCALES) - 1:
        c.cycle_text_size()
    c.open_procedure(PROCEDURE)
    c.next()
    k.frames(4)
    nav = k.app.root_widget.ids.sm.get_screen("step").ids.nav_row
    assert nav.orientation == "horizontal"
    assert not nav_problems(k, "1280×800 1.5×")
    ids = k.app.root_widget.ids.sm.get_screen("step").ids
    assert (ids.previous_button.icon, ids.next_button.icon) == ("chevron-left", "chevron-right")


def test_in_its_column_at_each_text_size_the_step_keeps_three_lines_of_text(make_kiosk, help_desk, window,
                                                                            request):
    """The guide widens with the text size (kiosk/browser/columns.py): 512, 576, 640 px. At
    1.5× in 512 px the step kept 85 px of its text (two lines) under the bar's 398 px."""
    if not in_window_of((COLUMN_PX[-1], SCREEN[1]), window, request):
        return
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    c = k.app.controller
    c.start_session()
    short, figures = [], []
    for code, index, scale in each_column(k):
        c.open_procedure(PROCEDURE)
        c.next()
        k.frames(4)
        scroller = k.app.root_widget.ids.sm.get_screen("step").ids.scroller
        three_lines = 3 * k.app.body_px * 1.25
        figures.append(f"{code} {scale}× {COLUMN_PX[index]} px: {scroller.height:.0f}")
        if scroller.height < three_lines - 1:
            short.append(f"{code} {scale}× in {COLUMN_PX[index]} px: {scroller.height:.0f} px for {three_lines:.0f}")
        to_home(k)
    print("\n".join(figures))
    assert not short, "\n".join(short)
