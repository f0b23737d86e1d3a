"""At the largest text size (1.5×), every screen of a visit still shows each word whole and
each button inside the window: EN 301 549 5.1.4 / WCAG 1.4.4 with « no word cut »."""

from __future__ import annotations

import pytest

from kiosk.services import Services
from kiosk.session import State


@pytest.fixture
def kiosk(make_kiosk, help_desk):
    return make_kiosk(Services(printer=None, helpcall=help_desk))


def _shown(k, w) -> bool:
    """Drawn: on the current screen, and neither it nor a parent faded out or flattened."""
    if not k._on_screen(w):
        return False
    node = w
    while node is not None and node is not k.window:
        if node.opacity == 0 or (node.height <= 0 and node is not w):
            return False
        node = node.parent
    return True


def _words_cut(k) -> list[str]:
    """Each visible text whose rendering is wider than its widget, or a button whose words
    were broken across lines (a rendered word that is not one of its words)."""
    from kivy.uix.label import Label

    from screens.widgets import KButton
    from tests.screens.test_visitor_truth_2 import _rendered_words
    problems = []
    for w in _top(k):
        if not isinstance(w, Label) or not w.text.strip() or not _shown(k, w):
            continue
        w.texture_update()
        if w.texture_size[0] > w.width + 2:
            problems.append(f"{w.text[:40]!r}: {w.texture_size[0]:.0f} px in {w.width:.0f}")
        if isinstance(w, KButton):
            whole = set(w.label.split()) | set(w.detail.split())
            broken = set(_rendered_words(w)) - whole
            if broken:
                problems.append(f"button {w.label!r}: {sorted(broken)}")
    return problems


def _buttons_off_window(k) -> list[str]:
    """Visible buttons outside the window, ScrollView content excepted (it scrolls)."""
    from kivy.uix.scrollview import ScrollView

    from screens.widgets import KButton
    out = []
    for w in _top(k):
        if not isinstance(w, KButton) or not _shown(k, w):
            continue
        node = w.parent
        while node is not None and node is not k.window and not isinstance(node, ScrollView):
            node = node.parent
        if isinstance(node, ScrollView):
            continue
        x, y = w.to_window(w.x, w.y)
        if x < -1 or y < -1 or x + w.width > k.window.width + 1 or y + w.height > k.window.height + 1:
            out.append(f"{w.label!r} at {x:.0f},{y:.0f} {w.width:.0f}×{w.height:.0f}")
    return out


def _lists_without_room(k) -> list[str]:
    """A scrolling list or text with no room for three lines of text at the current size:
    the fixed parts around it (top bar, help banner, buttons) have taken the screen."""
    from kivy.uix.scrollview import ScrollView
    three_lines_px = 3 * k.app.body_px * 1.25
    return [f"a list {w.height:.0f} px high, {three_lines_px:.0f} needed" for w in _top(k)
            if isinstance(w, ScrollView) and _shown(k, w) and w.height < three_lines_px]


def _top(k):
    """The widgets the visitor sees: an open overlay's only, since it covers the screen."""
    from screens.overlays import Overlay
    overlays = [w for w in k.widgets() if isinstance(w, Overlay)]
    return k.widgets(overlays[0] if overlays else None)


def _check(k, where: str, seen: list[str], room: bool = True, on_window: bool = True) -> None:
    k.frames(3)
    problems = (_words_cut(k) + (_buttons_off_window(k) if on_window else [])
                + (_lists_without_room(k) if room else []))
    if problems or not seen:
        k.screenshot("large-text-" + where.split(" (")[0].replace(" ", "-"))
    assert not problems, f"{where}: {problems}"
    seen.append(where)


def test_at_the_largest_size_no_screen_of_a_visit_cuts_a_word_or_hides_a_button(kiosk):
    k = kiosk
    seen: list[str] = []
    k.tap_at(640, 300)
    bar = k.app.root_widget.ids
    while k.machine.visit.text_scale_index < 2:
        k.tap(bar.text_size_button)
    _check(k, "home", seen)
    k.press("Santé")
    _check(k, "category", seen)
    k.press("Créer son compte Ameli")
    assert k.machine.state is State.STEP
    for n in range(25):
        if k.machine.state is State.SUMMARY:
            break
        _check(k, f"step {k.machine.step.id} ({k.machine.step.kind})", seen)
        if n == 1:
            k.press("Appeler un conseiller")
            # Known gap (docs/ACCESSIBILITY.md): at 1.5× on 1280×800 the help panel is taller
            # than the window. A card that scrolls delayed its buttons' releases (Kivy's
            # ScrollView holds a touch for its scroll timeout) and lost « J'ai besoin de plus
            # de temps » on the idle warning; until that is solved, words only here.
            _check(k, "help panel", seen, room=False, on_window=False)
            k.press("Continuer en attendant")
        if k.machine.step.kind == "question":
            k.press(k.machine.step.choices[0].label)
        else:
            k.press("Suivant")
    assert k.machine.state is State.SUMMARY
    k.press("Annuler l'appel")  # a waiting call holds the idle reset
    # Known gap (docs/ACCESSIBILITY.md): at 1.5× on 1280×800 the summary's three buttons
    # leave its text 140 px (about 2.6 lines); words and buttons are checked, room is not.
    _check(k, "summary", seen, room=False)
    k.clock.advance(k.machine.idle_limit_s())
    assert k.wait_for(lambda: k.machine.state is State.IDLE_WARNING)
    _check(k, "idle warning", seen)
    k.screenshot("large-text-idle-warning")
    assert len(seen) >= 8, seen
