"""The visitor's language, Kivy-free: part of the visit, switched mid-visit without losing
anything, back to [kiosk] language at reset by a verified wipe."""

from __future__ import annotations

import copy

import pytest

from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.services import Services
from kiosk.session import State


class RecordingSpeaker:
    def __init__(self):
        self.said, self.speaking = [], False

    def speak(self, text):
        self.said.append(text)
        self.speaking = True

    def stop(self):
        self.speaking = False

    def set_voice(self, volume, rate, language="fr"):  # speech mode (kiosk/ports.py) sets the voice
        self.voice = (volume, rate, language)

    def is_silent(self):
        return not self.speaking

    def close(self):
        self.stop()


@pytest.fixture
def make_controller(tmp_path, real_pack, fake_clock, help_desk):
    made = []

    def make(language="fr"):
        cfg = Config(kiosk=KioskSection(data_dir=tmp_path, language=language),
                     printer=PrinterSection(connection="dummy"))
        c = KioskController(cfg, real_pack, Services(helpcall=help_desk), clock=fake_clock,
                            speaker=RecordingSpeaker())
        c.start()
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def field_step_of(c: KioskController):
    """Open a procedure and walk to its first field step, ticking what can be ticked."""
    for procedure in c.pack.procedures.values():
        if any(s.kind == "field" for s in procedure.steps):
            c.start_session()
            c.open_procedure(procedure.id)
            break
    for _ in range(40):
        step = c.machine.step
        if step.kind == "field":
            return step
        if step.kind == "question":
            c.choose(0)
        else:
            for item in getattr(step, "items", None) or []:
                c.machine.toggle(item.id)
            c.next()
    raise AssertionError("no field step reached")


def test_switching_mid_visit_changes_every_text_and_keeps_what_was_done(make_controller):
    c = make_controller()
    step = field_step_of(c)
    c.set_field("canari-42")
    v = c.machine.visit
    before_fields, before_checked, before_history = copy.deepcopy((v.fields, v.checked, v.history))
    assert before_fields and before_history
    seen = []
    c.add_listener(lambda: seen.append(c.machine.visit.language))
    c.set_language("ar")
    assert (c.t("step.next"), c.language.direction) == ("التالي", "rtl")
    assert (v.fields, v.checked, v.history) == (before_fields, before_checked, before_history)
    assert (c.machine.state, c.machine.step.id) == (State.STEP, step.id)
    assert seen == ["ar"]  # the screens were told
    c.set_language("en")
    assert c.t("step.next") == "Next" and c.machine.visit.fields == before_fields


def test_the_reset_brings_the_configured_language_back_and_verifies_it(make_controller):
    c = make_controller()
    c.start_session()
    c.set_language("tr")
    c.end_session("visitor finished")
    report = c.wipes.last_report
    assert report.clean and "language" in report.results
    assert (c.machine.visit.language, c.t.language, c.language.code) == ("", "fr", "fr")
    assert c.t("step.next") == "Suivant"


def test_the_idle_reset_brings_french_back(make_controller, fake_clock):
    c = make_controller()
    c.start_session()
    c.set_language("es")
    for _ in range(20):  # idle limit, then the warning's countdown
        fake_clock.advance(30)
        c.machine.tick()
    assert c.machine.state in (State.GOODBYE, State.ATTRACT)
    assert c.t("step.next") == "Suivant" and c.machine.visit.language == ""


def test_a_kiosk_configured_in_english_resets_to_english(make_controller):
    c = make_controller(language="en")
    assert c.t("step.next") == "Next"
    c.start_session()
    c.set_language("fr")
    assert c.t("step.next") == "Suivant"
    c.end_session()
    assert c.t("step.next") == "Next" and c.language.code == "en"


def test_the_language_wipe_fails_its_check_if_the_screens_stay_in_the_visitors_language(make_controller):
    c = make_controller()
    c.start_session()
    c.set_language("ar")
    c.wipes.unregister("language")  # as if the holder were missing: the check must notice
    c.wipes.register("language", lambda: None,
                     lambda: c.machine.visit.language == "" and c.t.language == c.cfg.kiosk.language)
    c.end_session()
    assert not c.wipes.last_report.clean and c.wipes.last_report.results["language"] is False


def test_an_unknown_code_changes_nothing_and_logs_one_line(make_controller, caplog):
    c = make_controller()
    c.start_session()
    c.set_language("de")
    assert c.t.language == "fr" and c.machine.visit.language == ""
    assert "set_language: unknown language 'de' (allowed: fr, ar, en, pt, es, tr)" in caplog.text


def test_switching_stops_a_sentence_read_aloud_in_the_old_language(make_controller):
    c = make_controller()
    c.start_session()
    c.speak("Bonjour")
    c.set_language("pt")
    assert c.speaker.is_silent()


def test_staff_texts_stay_french_when_the_visitor_switches(make_controller):
    c = make_controller()
    c.set_language("ar")
    assert c.t("conseiller.title") == "Espace conseiller"
