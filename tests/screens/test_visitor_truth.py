"""A visitor is never told something untrue and never loses what they typed (issue 12).

Each test taps only what the screen shows, in the real window, and looks at the texts
the visitor reads. Screenshots go to out/screenshots/ to be looked at.
"""

from __future__ import annotations

import logging

import pytest

from kiosk.services import Services
from kiosk.session import State
from tests.screens.test_walkthrough import open_from_home, walk_ants_to_the_field


@pytest.fixture
def kiosk(make_kiosk, help_desk):
    return make_kiosk(Services(printer=None, helpcall=help_desk))


def test_with_no_channel_nobody_is_said_to_be_told(make_kiosk, help_desk):
    help_desk.configured = False  # the embedded defaults: no webhook, no lamp
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.tap_at(640, 300)
    k.press("Appeler un conseiller")
    shown = k.texts()
    assert "prévenu" not in shown and "va vous appeler" not in shown
    assert "Cette borne ne peut pas appeler un conseiller" in shown
    assert "Allez à l'accueil et donnez ce numéro." in shown
    k.screenshot("help-no-channel")
    # What « Écouter » reads while the panel is open says the same.
    spoken = k.app.widgets.help_overlay.spoken_text()
    assert "Allez à l'accueil et donnez ce numéro." in spoken and "prévenu" not in spoken
    k.press("Continuer en attendant")
    assert "Appel numéro 1\u00a0: allez à l'accueil avec ce numéro." in k.texts()


def test_a_call_nobody_received_sends_the_visitor_to_the_desk(kiosk, help_desk):
    k = kiosk
    k.tap_at(640, 300)
    k.press("Appeler un conseiller")
    assert "Nous appelons un conseiller" in k.texts()
    k.clock.advance(31)
    k.frames(3)  # the app's tick sees it
    assert k.wait_for(lambda: "Nous n'arrivons pas à prévenir un conseiller" in k.texts(), 15)
    assert "Allez à l'accueil et donnez ce numéro." in k.texts()
    k.screenshot("help-unreached")


def test_a_new_text_size_keeps_what_was_typed_and_the_keyboard(kiosk):
    k = kiosk
    walk_ants_to_the_field(k)
    field = k.app.root_widget.ids.sm.get_screen("step").field_input
    k.tap(field)
    k.type_text("AB12")
    k.press("Agrandir")
    step = k.app.root_widget.ids.sm.get_screen("step")
    assert k.machine.visit.fields[k.machine.step.id] == "AB12"
    assert step.field_input.text == "AB12"
    assert k.wait_for(lambda: step.field_input.focus and step.keyboard_slot.keyboard is not None, 15)
    k.screenshot("step-field-larger")


def test_accueil_mid_procedure_asks_before_dropping_anything(kiosk):
    k = kiosk
    open_from_home(k, "Carte d'identité", "Faire la pré-demande de carte d'identité")
    k.press("Suivant")
    k.press("Une photo d'identité")
    k.press("Accueil")
    assert "Quitter cette démarche\u00a0?" in k.texts()
    assert k.machine.state is State.STEP
    k.screenshot("leave-question")
    k.press("Non, je reste")
    assert k.machine.state is State.STEP and k.machine.visit.checked["papers"] == {"photo"}
    k.press("Accueil")
    k.press("Oui, je quitte")
    assert k.machine.state is State.HOME and not k.machine.visit.checked


def test_accueil_on_an_untouched_first_step_leaves_at_once(kiosk):
    k = kiosk
    open_from_home(k, "Carte d'identité", "Faire la pré-demande de carte d'identité")
    k.press("Accueil")
    assert k.machine.state is State.HOME and "Quitter cette démarche\u00a0?" not in k.texts()


def test_precedent_on_the_first_step_goes_back_to_the_theme_it_came_from(kiosk):
    k = kiosk
    open_from_home(k, "Carte d'identité", "Faire la pré-demande de carte d'identité")
    k.press("Précédent")
    assert k.machine.state is State.HOME
    assert "Faire la pré-demande de carte d'identité" in k.texts()  # the theme's list again


def test_more_time_keeps_the_visit_and_delays_the_next_warning(kiosk):
    k = kiosk
    walk_ants_to_the_field(k)
    limit = k.machine.idle_limit_s()
    k.clock.advance(limit + 1)
    assert k.wait_for(lambda: k.machine.state is State.IDLE_WARNING, 15)
    k.screenshot("idle-more-time")
    k.press("J'ai besoin de plus de temps")
    assert k.machine.state is State.STEP
    k.clock.advance(limit + 1)
    assert not k.wait_for(lambda: k.machine.state is State.IDLE_WARNING, 1)  # ticks ran: no warning
    assert k.machine.state is State.STEP  # the limit grew by [session] more_time_s
    assert k.machine.idle_limit_s() == limit + k.app.cfg.session.more_time_s


def test_a_theme_page_opens_at_its_top(kiosk):
    k = kiosk
    k.tap_at(640, 300)
    home = k.app.root_widget.ids.sm.get_screen("home")
    scroller = home.ids.scroller
    k.scroll_into_view(k.button("Carte d'identité"))
    assert scroller.scroll_y < 1
    k.press("Carte d'identité")
    k.frames(3)
    assert scroller.scroll_y == 1
    assert "Tous les thèmes" in k.texts()


def test_a_visit_with_a_field_logs_no_error_and_no_warning(kiosk, caplog):
    k = kiosk
    caplog.set_level(logging.INFO)
    walk_ants_to_the_field(k)
    k.tap(k.app.root_widget.ids.sm.get_screen("step").field_input)
    k.type_text("AB12CD34EF")
    k.press("Suivant")
    k.press("Accueil")
    k.press("Oui, je quitte")
    k.press("Appeler un conseiller")
    k.press("Terminer et effacer mes informations")
    assert k.machine.state is State.GOODBYE
    bad = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]
    assert not bad
