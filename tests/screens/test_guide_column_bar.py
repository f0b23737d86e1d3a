"""The top bar in the guide column: with guided browsing on, sway gives the kiosk 40 % of a
1280×800 screen, a window of 512×800 px (the millimetres stay the screen's). Every bar button
shows its words there, whole, in the six languages and at each text size, and stays a target
of the guide's size (CONTENT_GUIDE.md: 15 mm, 3 mm apart). It showed « Agrandir » as a bare
« Tт » glyph (docs/screenshots/guide-beside-site-sway.png).

Real window, real taps; the test runs in a process of its own whose window is opened at
512×800 (test_visitor_truth_2.in_window_of)."""

from __future__ import annotations

from kiosk.content.locale_fit import word_width_px
from kiosk.languages import LANGUAGES
from kiosk.services import Services
from kiosk.session import State
from kiosk.theme import MIN_GAP_MM, MIN_TARGET_MM, TEXT_SCALES
from tests.screens.test_visitor_truth_2 import _rendered_words, in_window_of

GUIDE_COLUMN = (512, 800)
BAR_BUTTONS = ("home_button", "text_size_button", "listen_button", "help_button")


def _tap_language(k, code: str) -> None:
    from screens.language_picker import LanguageButton
    name = next(lang.name for lang in LANGUAGES if lang.code == code)
    found = [w for w in k.widgets() if isinstance(w, LanguageButton) and w.label == name and k._on_screen(w)]
    assert len(found) == 1, name
    k.tap(found[0])
    k.frames(3)
    assert k.app.language == code


def _word_px(k, button, word: str, bold: bool) -> float:
    """What the word takes drawn in the button's font (the language's, right to left through raqm)."""
    from screens import rtl_text
    from screens.root import text_width
    if rtl_text.active():
        return word_width_px(word, k.app.language, int(button.font_size))
    return text_width(word, button.font_name if bold else k.app.font_regular, button.font_size)


def bar_problems(k, where: str) -> tuple[list[str], list[str]]:
    """(problems, figures) of the four bar buttons as they are drawn now."""
    ids = k.app.root_widget.ids
    mm = k.app.metrics.mm
    problems, figures = [], []
    boxes = []
    for name in BAR_BUTTONS:
        b = getattr(ids, name)
        b.texture_update()
        room = b.text_size[0]
        words = [(w, True) for w in b.label.split()] + [(w, False) for w in b.detail.split()]
        widths = {w: _word_px(k, b, w, bold) for w, bold in words}
        rendered = _rendered_words(b)
        figures.append(f"{where} {name}: {b.width:.0f}×{b.height:.0f} px, room {room:.0f}, widest "
                       f"{max(widths, key=widths.get)!r} {max(widths.values()):.0f}, shape {b.shape}")
        if b.shape == "icon":
            problems.append(f"{where} {name}: the icon alone, {b.label!r} not shown")
        if set(rendered) - set(widths):
            problems.append(f"{where} {name}: words cut {sorted(set(rendered) - set(widths))} of {b.label!r}")
        if not set(b.label.split()) <= set(rendered):
            problems.append(f"{where} {name}: {b.label!r} drawn as {rendered}")
        wider = {w: round(px) for w, px in widths.items() if px > room + 1}
        if wider:
            problems.append(f"{where} {name}: wider than its room of {room:.0f} px: {wider}")
        if min(b.width, b.height) < mm(MIN_TARGET_MM):
            problems.append(f"{where} {name}: {b.width:.0f}×{b.height:.0f} px, under 15 mm ({mm(MIN_TARGET_MM):.0f})")
        x, y = b.to_window(b.x, b.y)
        if x < 0 or y < 0 or x + b.width > k.window.width or y + b.height > k.window.height:
            problems.append(f"{where} {name}: outside the window at {x:.0f},{y:.0f}")
        boxes.append((name, x, y, x + b.width, y + b.height))
    for i, a in enumerate(boxes):
        for c in boxes[i + 1:]:
            apart = max(c[1] - a[3], a[1] - c[3], c[2] - a[4], a[2] - c[4])
            if apart < mm(MIN_GAP_MM) - 1:
                problems.append(f"{where} {a[0]} and {c[0]}: {apart:.0f} px apart, under 3 mm")
    return problems, figures


def test_in_the_guide_column_every_bar_button_shows_its_words_whole(make_kiosk, help_desk, window, request):
    if not in_window_of(GUIDE_COLUMN, window, request):
        return
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    assert (k.window.width, k.window.height) == GUIDE_COLUMN
    bar = k.app.root_widget.ids
    problems, figures = [], []
    for lang in LANGUAGES:
        _tap_language(k, lang.code)  # on the attract screen the first time: it starts the visit
        assert k.machine.state is State.HOME
        for index, scale in enumerate(TEXT_SCALES):
            assert k.machine.visit.text_scale_index == index
            k.frames(3)
            found, measured = bar_problems(k, f"{lang.code} {scale}×")
            problems += found
            figures += measured
            k.tap(bar.text_size_button)
    print("\n".join(figures))
    assert not problems, "\n".join(problems)


def test_screenshots_of_the_guide_column(make_kiosk, help_desk, window, request):
    """Attract, home and a step at 512×800, French and Arabic, smallest and largest size,
    for people to look at (out/screenshots/guide-column-*.png); the bar's words checked too."""
    from kivy.uix.scrollview import ScrollView
    if not in_window_of(GUIDE_COLUMN, window, request):
        return
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    c = k.app.controller
    problems = []
    k.screenshot("guide-column-attract")  # a visit starts in French at the normal size
    for code in ("fr", "ar"):
        for index in (0, len(TEXT_SCALES) - 1):
            name = f"guide-column-{code}-{TEXT_SCALES[index]}x"
            if k.machine.state is State.STEP:
                c.go_home()
                if k.machine.visit.leave_asked:
                    c.answer_leave(True)
                k.frames(3)
            assert k.machine.state in (State.ATTRACT, State.HOME), k.machine.state
            if code != k.app.language or k.machine.state is State.ATTRACT:
                _tap_language(k, code)
            while k.machine.visit.text_scale_index != index:
                k.tap(k.app.root_widget.ids.text_size_button)
            k.frames(3)
            problems += bar_problems(k, name)[0]
            k.screenshot(f"{name}-home")
            c.open_procedure("ameli-creer-compte")
            k.frames(3)
            c.next()
            k.frames(4)
            views = [w for w in k.widgets() if isinstance(w, ScrollView) and k._on_screen(w) and w.opacity > 0]
            print(f"{name}: bar {k.app.root_widget.ids.bar.height:.0f} px high, step lists "
                  f"{[round(v.height) for v in views]} px, 3 lines {3 * k.app.body_px * 1.25:.0f}")
            k.screenshot(f"{name}-step")
    assert not problems, "\n".join(problems)


def test_in_the_guide_column_the_language_names_are_whole(make_kiosk, help_desk, window, request):
    """The home screen beside the site (« Accueil » from a site step): its six language
    buttons in three columns cut the names in two (« Franç/ais », « Englis/h »)."""
    from screens.language_picker import LanguageButton
    if not in_window_of(GUIDE_COLUMN, window, request):
        return
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    cut = []
    for index in range(len(TEXT_SCALES)):
        k.tap_at(256, 400) if k.machine.state is State.ATTRACT else None
        assert k.machine.state is State.HOME
        while k.machine.visit.text_scale_index != index:
            k.tap(k.app.root_widget.ids.text_size_button)
        k.frames(3)
        home = k.app.root_widget.ids.sm.get_screen("home")
        for b in (w for w in home.walk() if isinstance(w, LanguageButton)):
            if _rendered_words(b) != b.label.split():
                cut.append(f"{TEXT_SCALES[index]}×: {b.label!r} drawn as {_rendered_words(b)}")
    k.screenshot("guide-column-home-languages")
    assert not cut, "\n".join(cut)
