"""Searching from the home screen with the on-screen keyboard, as a visitor would."""

from __future__ import annotations

import pytest

from kiosk.services import Services
from kiosk.session import State


@pytest.fixture
def home(make_kiosk, help_desk):
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.tap_at(640, 300)
    assert k.machine.state is State.HOME
    return k


def search(k, query: str) -> None:
    field = k.app.root_widget.ids.sm.get_screen("home").search_input
    k.tap(field)
    k.type_text(query)


def first_result(k):
    from screens.widgets import KButton
    content = k.app.root_widget.ids.sm.get_screen("home").ids.content
    buttons = [w for w in reversed(content.children) if isinstance(w, KButton)]
    assert buttons, k.texts()
    return buttons[0]


@pytest.mark.parametrize("query, expected", [
    ("impot", "impots-declarer-ses-revenus"),
    ("carte identite", "ants-pre-demande-carte-identite"),
    ("ameli", "ameli-"),
    ("mail", "creer-adresse-email"),
    ("pole emploi", "france-travail-"),
])
def test_typing_finds_the_intended_procedure_first(home, query, expected):
    k = home
    search(k, query)
    assert k.machine.visit.search_query == query
    button = first_result(k)
    if query == "impot":
        k.screenshot("home-search")
    k.tap(button)
    assert k.machine.state is State.STEP
    assert k.machine.procedure.id.startswith(expected)


def test_no_result_says_what_to_do(home):
    search(home, "zzzz")
    assert "Aucune démarche trouvée" in home.texts()


def test_clear_brings_the_themes_back_and_reset_forgets_the_query(home):
    k = home
    search(k, "ameli")
    k.press("Vider la recherche")
    assert k.machine.visit.search_query == ""
    assert "Ou choisissez un thème" in k.texts()
    search(k, "caf")
    k.clock.advance(k.app.cfg.session.idle_timeout_s + k.app.cfg.session.idle_warning_s)
    assert k.wait_for(lambda: k.machine.state is State.IDLE_WARNING)
    k.clock.advance(k.app.cfg.session.idle_warning_s)
    assert k.wait_for(lambda: k.machine.state is State.GOODBYE)
    home_screen = k.app.root_widget.ids.sm.get_screen("home")
    assert home_screen.search_input.text == "" and home_screen.search_input.is_empty()
    assert k.app.controller.wipes.last_report.clean
