"""Speech mode in a real window with real touches: a visitor who cannot see the screen goes
from the attract screen to the printed receipt by touch-then-double-tap (and swipes) alone,
through a procedure with every step kind; a recording speaker keeps what would be said."""

from __future__ import annotations

import time

import pytest

from hardware.printer import PrintService
from kiosk.services import Services
from kiosk.session import PrintStatus, State
from kiosk.speech import DEFAULT_VOLUME
from tests.screens.conftest import make_config
from tests.speech_support import RecordingSpeaker

NUMBER = "AB12CD34EF"


@pytest.fixture
def k(make_kiosk, help_desk, tmp_path):
    cfg = make_config(tmp_path)
    k = make_kiosk(Services(printer=PrintService(cfg), helpcall=help_desk), cfg=cfg)
    k.app.controller.speaker = RecordingSpeaker()
    return k


def said(k) -> RecordingSpeaker:
    return k.app.controller.speaker


def double_tap(k, x: float, y: float) -> None:
    """Two touches at once, as a finger does (well inside [speech] double_tap_s)."""
    from kivy.tests.common import UnitTestTouch
    for _ in range(2):
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
    k.frames(3)


def swipe(k, direction: int = 1) -> None:
    from kivy.tests.common import UnitTestTouch
    w = k.window.width
    touch = UnitTestTouch(w * 0.5 - direction * w * 0.15, k.window.height * 0.5)
    touch.touch_down()
    touch.touch_move(w * 0.5 + direction * w * 0.15, k.window.height * 0.5)
    touch.touch_up()
    k.frames(2)


def long_press(k, widget, hold_s: float) -> None:
    """Hold at least hold_s, and on until the kiosk took it as a long press (a loaded machine
    may draw a frame a second: the press is judged by Kivy's clock, not by ours), 10 s at most."""
    from kivy.tests.common import UnitTestTouch
    touch = UnitTestTouch(*widget.to_window(*widget.center))
    touch.touch_down()
    end = time.monotonic() + hold_s
    while time.monotonic() < end:
        k.frames(1)
    k.wait_for(lambda: "kiosk.long_pressed" in touch.ud, 10)
    touch.touch_up()
    k.frames(2)


def find(k, text: str):
    from screens.widgets import KButton
    speech = k.app.root_widget.speech
    found = [w for w in speech.items() if isinstance(w, KButton) and text in w.label]
    assert len(found) == 1, f"{text!r}: {[w.label for w in speech.items() if isinstance(w, KButton)]}"
    return found[0]


def explore_to(k, widget) -> tuple[float, float]:
    """Touch the control if it is under a finger's reach on screen, else swipe to it (the
    focus scrolls it into view). Returns where the finger is, for the double tap."""
    speech = k.app.root_widget.speech
    x, y = widget.to_window(*widget.center)
    if speech.item_at(x, y) is widget:
        k.tap_at(x, y)
    else:
        for _ in range(80):
            if speech.focused is widget:
                break
            swipe(k, 1)
        assert speech.focused is widget, f"swiping never reached {getattr(widget, 'label', widget)!r}"
        x, y = 5, k.window.height * 0.4  # anywhere: a double tap acts on what was said
    assert said(k).said[-1] == speech.describe(widget)
    time.sleep(k.app.cfg.speech.double_tap_s + 0.05)  # the visitor listens before acting
    return x, y


def choose(k, text: str) -> str:
    """Touch (hear it), then double tap (act). Returns what the first touch said."""
    widget = find(k, text)
    x, y = explore_to(k, widget)
    heard = said(k).said[-1]
    assert text in heard
    double_tap(k, x, y)
    return heard


def test_a_visitor_walks_to_the_printed_receipt_by_touch_and_double_tap(k, tmp_path):
    step_screen = k.app.root_widget.ids.sm.get_screen("step")
    double_tap(k, 640, 400)
    assert k.machine.state is State.HOME and k.machine.visit.speech_mode
    assert k.app.t("speech.mode_on") in said(k).said[-1] and "Que voulez-vous faire" in said(k).said[-1]
    k.screenshot("speech-home")
    assert "bouton" in choose(k, "Carte d'identité")
    choose(k, "Faire la pré-demande de carte d'identité")
    assert k.machine.state is State.STEP and "Ce que vous allez faire" in said(k).said[-1]
    choose(k, "Suivant")
    assert k.machine.step.kind == "checklist"
    assert "Une photo d'identité de moins de 6 mois, pas coché" in said(k).said[-1]
    assert "pas coché, bouton, 1 sur 6" in choose(k, "Une photo d'identité")
    assert said(k).said[-1].startswith("Une photo d'identité de moins de 6 mois, coché, bouton")
    k.screenshot("speech-checklist")
    choose(k, "Suivant")
    assert k.machine.step.kind == "link" and "code QR" in said(k).said[-1]  # the ANTS site first
    choose(k, "Suivant")
    assert k.machine.step.kind == "question"
    assert "Oui, j'ai un compte" in said(k).said[-1] and "Non, ou je ne sais pas" in said(k).said[-1]
    choose(k, "Oui, j'ai un compte")
    choose(k, "Suivant")
    choose(k, "Suivant")
    step = k.machine.step
    assert step.kind == "field" and step.label in said(k).said[-1]
    x, y = explore_to(k, step_screen.field_input)
    assert step.label in said(k).said[-1] and "jamais lu à voix haute" in said(k).said[-1]
    double_tap(k, x, y)
    assert step_screen.field_input.focus
    k.type_text(NUMBER[:2])
    assert said(k).said[-1] == "2 caractères écrits."
    k.type_text(NUMBER[2:])
    assert said(k).said[-1] == f"{len(NUMBER)} caractères écrits."
    k.screenshot("speech-field")
    choose(k, "Suivant")
    assert k.machine.step.kind == "link" and "code QR" in said(k).said[-1]
    choose(k, "Suivant")
    assert k.machine.state is State.SUMMARY
    summary = said(k).said[-1]
    assert "votre récapitulatif dira" in summary and k.machine.step.title in summary
    choose(k, "Imprimer mon récapitulatif")
    assert k.wait_for(lambda: k.machine.visit.print_status is PrintStatus.DONE, 20)
    k.frames(2)
    assert k.app.t("print.done") in said(k).said[-1]
    spooled = list((tmp_path / "spool").glob("*"))
    assert spooled, "the receipt reached the printer"
    everything = said(k).everything
    for label in ("Carte d'identité", "Faire la pré-demande de carte d'identité", "Suivant",
                  "Une photo d'identité", "Oui, j'ai un compte", "Numéro de pré-demande",
                  "Imprimer mon récapitulatif"):
        assert label in everything
    assert NUMBER not in everything and "AB12" not in everything


def test_swipes_read_the_screen_in_order(k):
    double_tap(k, 640, 400)
    swipe(k, 1)
    first = said(k).said[-1]
    swipe(k, 1)
    second = said(k).said[-1]
    swipe(k, -1)
    assert said(k).said[-1] == first and first != second
    assert "Accueil" in first  # the top bar comes first, left to right
    labels = [getattr(w, "label", "") for w in k.app.root_widget.speech.items()]
    bar = ["Répéter", "Arrêter", "Volume\u00a0+", "Volume\u00a0−", "Vitesse\u00a0+", "Vitesse\u00a0−", "Quitter"]
    assert labels[:4] == ["Accueil", "Agrandir", "Écouter", "Appeler un conseiller"]
    assert labels[4:11] == bar  # one row, even with buttons of two heights


def test_speech_stops_on_any_touch(k):
    k.tap_at(640, 400)
    assert k.machine.state is State.HOME
    time.sleep(0.6)  # not a double tap
    k.press("Écouter")
    assert not said(k).is_silent()
    k.tap_at(5, 5)  # a touch on nothing
    assert said(k).is_silent()


def test_long_press_on_help_turns_speech_mode_on_and_off_without_calling(k, help_desk):
    k.tap_at(640, 400)
    time.sleep(0.6)
    help_button = k.app.root_widget.ids.help_button
    long_press(k, help_button, k.app.cfg.speech.long_press_s + 0.3)
    assert k.machine.visit.speech_mode and k.machine.visit.help_number == 0
    k.screenshot("speech-bar")
    long_press(k, help_button, k.app.cfg.speech.long_press_s + 0.3)
    assert not k.machine.visit.speech_mode and k.machine.visit.help_number == 0


def test_volume_goes_back_to_default_after_reset(k):
    double_tap(k, 640, 400)
    choose(k, "Volume\u00a0+")
    assert k.machine.visit.speech_volume == DEFAULT_VOLUME + 20
    assert said(k).voices[-1][0] == DEFAULT_VOLUME + 20
    assert "Volume 120 pour cent" in said(k).said[-1]
    k.app.controller.end_session()
    k.frames(2)
    assert k.machine.state is State.GOODBYE
    v = k.machine.visit
    assert not v.speech_mode and v.speech_volume == DEFAULT_VOLUME
    assert k.app.root_widget.speech_bar.opacity == 0
    assert k.app.controller.wipes.last_report.clean


def test_a_touch_repeated_at_once_counts_once_when_the_operator_asks(make_kiosk, help_desk, tmp_path):
    from dataclasses import replace

    from kiosk.config import SpeechSection
    from tests.screens.test_walkthrough import open_from_home
    cfg = replace(make_config(tmp_path), speech=SpeechSection(touch_repeat_s=0.5))
    k = make_kiosk(Services(printer=None, helpcall=help_desk), cfg=cfg)
    open_from_home(k, "Carte d'identité", "Faire la pré-demande de carte d'identité")
    time.sleep(0.6)
    k.press("Suivant")
    item = k.button("Une photo d'identité")
    x, y = item.to_window(*item.center)
    time.sleep(0.6)
    k.tap_at(x, y)
    k.tap_at(x, y)  # a hand that bounces: the second touch is ignored
    assert k.machine.visit.checked["papers"] == {"photo"}
    time.sleep(0.6)
    k.tap_at(x, y)  # a new touch, later
    assert k.machine.visit.checked["papers"] == set()


def test_the_invitation_is_shown_on_the_attract_screen(k):
    assert k.machine.state is State.ATTRACT
    assert k.app.t("speech.invite") in k.texts()
    k.screenshot("speech-attract")


def test_the_speech_bar_shows_the_volume_and_rate_and_follows_the_language(k):
    # EN 301 549 5.1.5: what « Volume + » says aloud (« Volume 120 pour cent ») is shown too.
    double_tap(k, 640, 400)
    bar = k.app.root_widget.speech_bar
    assert bar.buttons["speech.louder"].detail == "100\u00a0%"
    choose(k, "Volume\u00a0+")
    k.frames(2)
    assert bar.buttons["speech.louder"].detail == "120\u00a0%"
    assert bar.buttons["speech.quieter"].detail == "120\u00a0%"
    assert bar.buttons["speech.faster"].detail == "100\u00a0%"
    k.screenshot("speech-bar-volume")
    k.app.controller.set_language("en")
    k.frames(3)
    assert bar.buttons["speech.repeat"].label == "Repeat"
    assert bar.buttons["speech.louder"].detail == "120%"
    k.screenshot("speech-bar-english")


def test_repeat_and_stop_stay_reachable_on_the_idle_warning(k):
    # Issue 14: « Répéter » and « Arrêter » always reachable; an overlay used to hide them
    # from the swipe order (only the overlay's own items were read).
    double_tap(k, 640, 400)
    k.clock.advance(k.app.cfg.session.idle_timeout_s)
    assert k.wait_for(lambda: k.machine.state is State.IDLE_WARNING)
    k.frames(2)
    labels = [getattr(w, "label", "") for w in k.app.root_widget.speech.items()]
    assert "Répéter" in labels and "Arrêter" in labels
    assert labels.index("Répéter") > labels.index(k.app.t("idle.continue"))  # the warning first
    choose(k, "Répéter")
    assert k.machine.state is State.IDLE_WARNING
    assert said(k).said[-1] == k.app.controller.screen_text()
    assert k.app.t("idle.question") in said(k).said[-1]


def test_a_short_tap_on_help_during_a_frozen_frame_still_calls(k, help_desk):
    """The UI froze (a slow frame, a collection) while a finger briefly touched « Appeler »:
    when the loop wakes up, the long-press timer is overdue and the finger's release is still
    queued behind it. The tap is a call, not a switch to speech mode."""
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch
    k.tap_at(640, 400)
    time.sleep(0.6)  # past the attract double-tap window
    help_button = k.app.root_widget.ids.help_button
    touch = UnitTestTouch(*help_button.to_window(*help_button.center))
    touch.touch_down()
    time.sleep(k.app.cfg.speech.long_press_s + 0.3)  # no frame drawn: the UI is stuck
    EventLoop.idle()  # the loop wakes: Kivy's clock runs the overdue timers before input
    touch.touch_up()  # ... then the queued release
    k.frames(2)
    assert not k.machine.visit.speech_mode
    assert k.machine.visit.help_number == 1
