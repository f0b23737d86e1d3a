"""What the next tap will show is drawn before the tap: the home page while the attract
screen waits, the QR codes of a procedure's link steps while its first step is read
(issue 11: a tap that builds a page or makes a code waits 30 to 200 ms for it)."""

from __future__ import annotations

import pytest

from kiosk.services import Services
from kiosk.session import State

pytestmark = pytest.mark.screen


def home_buttons(k):
    from screens.widgets import KButton
    home = k.app.root_widget.ids.sm.get_screen("home")
    return [w for w in home.ids.content.walk() if isinstance(w, KButton)]


def test_the_home_page_is_built_while_the_attract_screen_waits(make_kiosk, help_desk, monkeypatch):
    from kiosk.app import KioskApp
    monkeypatch.setattr(KioskApp, "HOME_AHEAD_AFTER_S", 0)
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    assert k.machine.state is State.ATTRACT
    k.frames(3)
    ahead = home_buttons(k)
    popular = [p.title for p in k.app.controller.home_order()[:4]]
    assert [b.label for b in ahead[:4]] == popular
    assert all(b.width > 100 for b in ahead[:4])  # laid out at the window's size, not 100 px
    k.tap_at(640, 300)
    assert k.machine.state is State.HOME
    k.frames(2)
    # The first touch showed the page built ahead: the very same buttons, not new ones.
    assert [id(b) for b in home_buttons(k)] == [id(b) for b in ahead]


def test_a_visit_started_before_the_delay_is_not_rebuilt_behind_it(make_kiosk, help_desk, monkeypatch):
    from kiosk.app import KioskApp
    monkeypatch.setattr(KioskApp, "HOME_AHEAD_AFTER_S", 0.3)
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.tap_at(640, 300)
    assert k.machine.state is State.HOME
    k.press(k.app.controller.home_order()[0].title)
    assert k.machine.state is State.STEP
    shown = home_buttons(k)
    k.wait_for(lambda: k.app._home_ahead is None, timeout_s=2)
    k.frames(3)
    assert [id(b) for b in home_buttons(k)] == [id(b) for b in shown]


def test_a_link_steps_code_is_made_while_the_first_step_is_read(make_kiosk, help_desk, monkeypatch):
    from screens.widgets import QRCode
    monkeypatch.setattr(QRCode, "_textures", {})
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.tap_at(640, 300)
    k.app.controller.open_procedure("ameli-attestation-de-droits")
    k.frames(2)
    assert k.machine.step.kind == "info"
    assert k.wait_for(lambda: "https://www.ameli.fr" in QRCode._textures, timeout_s=3)
    made = QRCode._textures["https://www.ameli.fr"]
    k.press(k.app.t("step.next"))
    k.press(k.machine.step.choices[0].label)
    assert k.machine.step.kind == "link"
    k.frames(2)
    codes = [w for w in k.widgets() if isinstance(w, QRCode) and k._on_screen(w)]
    assert [c.texture for c in codes] == [made]


def test_the_translations_are_laid_over_between_frames_after_the_start(make_kiosk, help_desk):
    """The start laid no translation over its French procedure (a tenth of a second of it):
    the running kiosk does, a few milliseconds a frame, before any visitor asks for one."""
    from kiosk.config import ASSETS_DIR
    from kiosk.content.loader import load_pack
    pack = load_pack(ASSETS_DIR / "content")
    waiting = len(pack.pending)
    assert waiting > 100 and pack.translations == {}
    k = make_kiosk(Services(printer=None, helpcall=help_desk), pack=pack)
    assert k.machine.state is State.ATTRACT
    assert k.wait_for(lambda: not pack.pending, timeout_s=10)
    assert sum(map(len, pack.translations.values())) == waiting
    assert pack.procedure_in("creer-adresse-email", "en").language == "en"


def test_at_start_only_the_attract_screen_is_built_the_rest_while_it_waits(make_kiosk, help_desk, monkeypatch):
    """The first frame shows the attract screen alone: the home, step and summary screens
    and the overlays (0.1-0.2 s of building, their labels drawn) come READY_AFTER_S after it
    (bench/startup.py). Once built, a visitor's wipes cover them."""
    from kiosk.app import KioskApp
    monkeypatch.setattr(KioskApp, "READY_AFTER_S", 0.3)
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    sm = k.app.root_widget.ids.sm
    assert sm.screen_names == ["attract"] and not k.app.widgets.complete
    assert "text inputs" not in k.app.controller.wipes.names()
    assert k.wait_for(lambda: k.app.widgets.complete, timeout_s=5)
    assert sorted(sm.screen_names) == ["attract", "home", "step", "summary"]
    assert {"text inputs", "search input", "summary", "text render caches"} <= set(k.app.controller.wipes.names())


def test_a_visitor_who_touches_before_the_rest_is_built_gets_the_home_page(make_kiosk, help_desk, monkeypatch):
    from kiosk.app import KioskApp
    monkeypatch.setattr(KioskApp, "READY_AFTER_S", 60)
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    assert not k.app.widgets.complete
    k.tap_at(640, 300)
    assert k.machine.state is State.HOME and k.app.widgets.complete
    assert k.app.root_widget.ids.sm.current == "home" and home_buttons(k)
    k.clock.advance(k.machine.idle_limit_s())  # an overlay too: the idle warning
    assert k.wait_for(lambda: k.machine.state is State.IDLE_WARNING)
    assert k.app.widgets.idle_overlay.parent is not None
