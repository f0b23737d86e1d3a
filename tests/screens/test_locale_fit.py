"""The validator's places for button texts (kiosk/content/locale_fit.py) are not wider than
the real buttons: measured on the real window at each text size, on every screen a visitor
reaches (issue 15: « no string wider than its place on the smallest supported screen »)."""

from __future__ import annotations

import pytest

from kiosk.services import Services


def rooms(k, keys) -> dict[str, float]:
    """Text room (px) of each visible button, by the text key of its label."""
    from screens.widgets import KButton
    by_text = {k.app.t(key): key for key in keys}
    found: dict[str, float] = {}
    for w in k.widgets():
        if isinstance(w, KButton) and w.label in by_text and w.opacity > 0 and k._on_screen(w):
            room = w.text_size[0] if w.text_size and w.text_size[0] else w.width
            key = by_text[w.label]
            found[key] = min(found.get(key, room), room)
    return found


def walk(k, look) -> None:
    """Every screen with a button of locale_fit.ROOM_PX, through the controller."""
    c = k.app.controller
    look()
    c.open_category(k.machine.content.categories[0].id)
    k.frames(3)
    look()
    c.open_procedure("ameli-creer-compte")
    for _ in range(12):
        k.frames(3)
        look()
        step = k.machine.step
        if step is None:
            break
        if step.kind == "field":
            c.set_field("0612345678")
        c.choose(0) if step.kind == "question" else c.next()
    for act in (c.call_help, c.close_help_panel, c.go_home, lambda: c.answer_leave(False), c.cancel_help):
        act()
        k.frames(3)
        look()
    k.clock.advance(k.machine.idle_limit_s() + 1)
    k.app._tick(0)
    k.frames(3)
    look()


@pytest.mark.parametrize("size_taps", [0, 1, 2], ids=["1x", "1.25x", "1.5x"])
def test_each_button_has_at_least_the_room_the_validator_counts_on(make_kiosk, help_desk, size_taps):
    from kiosk.content.locale_fit import ROOM_PX, SMALLEST_SCREEN
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    assert (k.window.width, k.window.height) == SMALLEST_SCREEN[:2]
    k.tap_at(640, 300)
    for _ in range(size_taps):
        k.app.controller.cycle_text_size()
    seen: dict[str, float] = {}

    def look():
        for key, room in rooms(k, ROOM_PX).items():
            seen[key] = min(seen.get(key, room), room)

    walk(k, look)
    assert sorted(seen) == sorted(ROOM_PX), "buttons said in ROOM_PX but not found"
    narrower = {key: (round(seen[key]), room) for key, room in ROOM_PX.items() if seen[key] < room - 1}
    assert not narrower, f"buttons narrower than locale_fit.ROOM_PX (real, said): {narrower}"
