"""What is spoken, screen by screen, without a window (kiosk/reading.py via the controller)."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk import reading
from kiosk.config import Config, HelpLine, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.services import Services
from kiosk.session import State
from kiosk.speech import DEFAULT_RATE, DEFAULT_VOLUME
from kiosk.speech_text import FRENCH_START, engine_input, french
from tests.speech_support import RecordingSpeaker

ANTS = "ants-pre-demande-carte-identite"
# Not among the 20 most used: English and Arabic only, so Spanish shows it in French.
NOT_IN_SPANISH = "acte-etat-civil"


@pytest.fixture
def c(tmp_path, real_pack, fake_clock, help_desk):
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path, name="Borne test", place="Lens"),
                 printer=PrinterSection(connection="dummy"))
    controller = KioskController(cfg, real_pack, Services(printer=None, helpcall=help_desk),
                                 clock=fake_clock, speaker=RecordingSpeaker())
    controller.start()
    yield controller
    controller.close()


def go_to_kind(c: KioskController, kind: str, procedure_id: str = ANTS) -> None:
    c.start_session()
    c.open_procedure(procedure_id)
    for _ in range(20):
        if c.machine.step.kind == kind:
            return
        c.choose(0) if c.machine.step.kind == "question" else c.next()
    raise AssertionError(f"no {kind} step")


def test_home_names_every_procedure_and_theme_shown(c):
    c.start_session()
    text = c.screen_text()
    for proc in c.home_order()[:4]:
        assert proc.title in text
    for category in c.home_categories():
        assert category.title in text
    assert "Environ" in text


def test_a_theme_and_search_results_name_their_procedures(c):
    c.start_session()
    category = c.home_categories()[0]
    c.open_category(category.id)
    text = c.screen_text()
    assert category.title in text and all(p.title in text for p in c.home_order(category.id))
    c.open_category(None)
    c.set_search("passeport")
    assert all(p.title in c.screen_text() for p in c.search("passeport"))


def test_a_question_is_read_with_its_choices(c):
    go_to_kind(c, "question")
    step = c.machine.step
    text = c.screen_text()
    assert step.title in text
    for choice in step.choices:
        assert choice.label in text
    assert f"{len(step.choices)} réponses possibles" in text


def test_checklist_items_are_read_with_their_state(c):
    go_to_kind(c, "checklist")
    step = c.machine.step
    first, second = step.items[0], step.items[1]
    c.toggle(first.id)
    text = c.screen_text()
    assert f"{first.label}, coché" in text and f"{second.label}, pas coché" in text


def test_a_personal_field_is_never_spoken_but_its_label_and_format_are(c):
    go_to_kind(c, "field")
    step = c.machine.step
    assert step.personal
    c.machine.set_speech(True, DEFAULT_VOLUME, DEFAULT_RATE)
    c.set_field("AB12C")
    c.set_field("AB12CD")
    text = c.screen_text()
    assert step.label in text and step.pattern_help in text
    assert "6 caractères écrits" in text
    spoken = c.screen_text() + "\n" + c.speaker.everything
    for secret in ("AB12C", "AB12", " D", "« D »"):
        assert secret not in spoken
    assert c.speaker.said[-1] == "6 caractères écrits."


def test_a_plain_field_echoes_what_is_typed(c, monkeypatch):
    from dataclasses import replace
    go_to_kind(c, "field")
    proc = c.machine.procedure
    step = replace(proc.step(c.machine.visit.step_id), personal=False)
    # The pack is shared by the whole session: monkeypatch puts the real step back after the
    # test (restoring from the pack itself would put back this very copy).
    monkeypatch.setitem(proc._by_id, step.id, step)
    c.machine.set_speech(True, DEFAULT_VOLUME, DEFAULT_RATE)
    c.set_field("Le")
    c.set_field("Le ")
    c.set_field("Le")
    assert c.speaker.said[-3:] == ["Le", "espace", "effacé"]
    assert "Vous avez écrit : Le" in c.screen_text().replace("\u00a0", " ")


def test_an_error_is_read(c):
    go_to_kind(c, "field")
    c.set_field("a")
    assert c.t("field.invalid") in c.screen_text()


def test_the_link_step_reads_the_site_not_the_code(c):
    go_to_kind(c, "link")
    step = c.machine.step
    assert step.link.label in c.screen_text() and "code QR" in c.screen_text()


def test_summary_says_what_the_receipt_will_say_before_printing(c):
    go_to_kind(c, "end")
    assert c.machine.state is State.SUMMARY
    text = c.screen_text()
    assert "votre récapitulatif dira" in text and c.machine.procedure.title in text
    assert "Solidarité numérique" not in text and "Appelez" not in text  # no line configured


def test_summary_reads_the_help_lines_the_office_configured(tmp_path, real_pack, fake_clock, help_desk):
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path), printer=PrinterSection(connection="dummy"),
                 help_lines=(HelpLine("France Services de Lure", "03 84 30 12 34", "le lundi"),))
    c = KioskController(cfg, real_pack, Services(printer=None, helpcall=help_desk),
                        clock=fake_clock, speaker=RecordingSpeaker())
    c.start()
    try:
        go_to_kind(c, "end")
        text = c.screen_text()
    finally:
        c.close()
    assert c.t("receipt.help_heading") in text and "France Services de Lure" in text


def test_idle_warning_help_panel_and_leave_question_are_read(c, fake_clock):
    go_to_kind(c, "checklist")
    c.toggle(c.machine.step.items[0].id)
    c.go_home()
    assert c.t("leave.question") in c.screen_text() and c.t("leave.go") in c.screen_text()
    c.answer_leave(False)
    c.call_help()
    assert "Votre numéro" in c.screen_text()
    c.close_help_panel()
    c.cancel_help()
    fake_clock.advance(c.machine.idle_limit_s() + 1)
    c.tick()
    assert c.machine.state is State.IDLE_WARNING
    assert c.idle_warning_text() in c.screen_text() and c.t("idle.more_time") in c.screen_text()


def test_attract_invites_to_speech_mode(c):
    assert c.t("speech.invite") in c.screen_text()


def test_a_new_screen_stops_speech_and_is_read_in_speech_mode(c):
    c.start_session()
    c.repeat()
    assert c.speaker.speaking
    c.open_procedure(ANTS)  # not in speech mode: silence
    assert c.speaker.is_silent()
    c.set_speech_mode(True)
    c.next()
    assert c.machine.step.title in c.speaker.said[-1] and c.speaker.speaking


def test_volume_and_rate_change_reach_the_speaker_and_go_back_to_default_at_reset(c):
    c.set_speech_mode(True)  # from the attract screen: starts the visit
    assert c.machine.state is State.HOME and c.machine.visit.speech_mode
    c.change_voice(volume_steps=2)
    c.change_voice(rate_steps=-1)
    v = c.machine.visit
    assert (v.speech_volume, v.speech_rate) == (DEFAULT_VOLUME + 40, DEFAULT_RATE - 20)
    c.repeat()
    assert c.speaker.voices[-1] == (DEFAULT_VOLUME + 40, DEFAULT_RATE - 20)
    c.end_session()
    v = c.machine.visit
    assert not v.speech_mode and (v.speech_volume, v.speech_rate) == (DEFAULT_VOLUME, DEFAULT_RATE)
    assert (c.speaker.volume, c.speaker.rate) == (DEFAULT_VOLUME, DEFAULT_RATE)
    assert c.wipes.last_report.clean


def test_volume_stays_in_range(c):
    c.start_session()
    for _ in range(30):
        c.change_voice(volume_steps=1)
    assert c.machine.visit.speech_volume == 200
    for _ in range(30):
        c.change_voice(rate_steps=-1)
    assert c.machine.visit.speech_rate == 80


def test_the_invitation_is_said_once_per_attract_entry_and_is_short(c, fake_clock):
    c.start_session()
    c.end_session()
    fake_clock.advance(c.machine.settings.goodbye_s + 1)
    c.tick()
    c.tick()
    assert c.machine.state is State.ATTRACT
    assert c.speaker.said.count(c.t("speech.invite")) == 1


def test_an_image_is_described_in_speech(c, tmp_path, monkeypatch):
    from dataclasses import replace
    c.start_session()
    c.open_procedure(ANTS)
    proc = c.machine.procedure
    step = proc.step(c.machine.visit.step_id)
    monkeypatch.setitem(proc._by_id, step.id, replace(step, image=tmp_path / "ecran.png",
                                                      image_alt="La page d'accueil du site de l'ANTS."))
    assert "Image : La page d'accueil du site de l'ANTS." in c.screen_text().replace("\u00a0", " ")


def test_speech_is_in_the_visitors_language_with_its_voice(c):
    c.start_session()
    c.set_language("en")
    c.set_speech_mode(True)
    said = c.speaker.said[-1]
    assert c.speaker.languages[-1] == "en"
    # speech.po has its English text: the French mode announcement is not read.
    assert "What do you want to do?" in said and "Mode vocal" not in said, said
    assert "Speech mode" in said
    c.open_procedure(ANTS)
    assert c.speaker.languages[-1] == "en" and "Step 1" in c.speaker.said[-1]
    # The procedure has its English translation: the English voice says it all.
    spoken, ssml = engine_input(c.speaker.said[-1], "en")
    assert c.machine.procedure.language == "en"
    assert c.machine.procedure.title in spoken and '<voice xml:lang="fr">' not in spoken
    c.end_session()  # the next visitor hears French again
    assert c.speaker.language == "fr" and c.wipes.last_report.clean


def test_a_procedure_shown_in_french_is_said_by_the_french_voice(c):
    c.start_session()
    c.set_language("es")
    c.set_speech_mode(True)
    c.open_procedure(NOT_IN_SPANISH)
    assert c.machine.procedure.language == "fr"  # no Spanish translation: shown in French
    spoken, ssml = engine_input(c.speaker.said[-1], "es")
    assert ssml and f'<voice xml:lang="fr">{c.machine.procedure.title}</voice>' in spoken
    assert c.in_french_mark(c.machine.procedure) in spoken  # « en français », said in Spanish


def test_the_summary_does_not_read_the_receipt_lines_it_has_just_read(c):
    # Listening found the ANTS summary read twice over (2207 characters, about 2.5 min):
    # the receipt says what the screen says. Said once, each line, and what only the
    # receipt has (the procedure's title, the site) is still said.
    go_to_kind(c, "end")
    lines = reading.summary_lines(c)
    content = [line for line in lines if len(line) > 25]
    assert len(content) == len(set(content)), [x for x in content if content.count(x) > 1]
    said = " ".join(lines)
    receipt = reading.receipt_lines(c, c.machine.procedure, datetime.now())
    assert all(line in said for line in receipt[1:]), [x for x in receipt if x not in said]
    assert c.machine.procedure.title in said and "votre récapitulatif dira aussi" in said


def test_in_another_language_a_touched_content_button_goes_to_the_french_voice(c):
    go_to_kind(c, "question", NOT_IN_SPANISH)
    c.set_language("es")
    assert c.machine.procedure.language == "fr"
    choice = c.machine.step.choices[0].label
    said = reading.control_text(c, choice, position=(1, 2))
    assert said.startswith(french(choice)), said
    assert FRENCH_START not in reading.control_text(c, c.t("step.next"))  # the interface: Spanish
    c.set_language("en")  # translated: the choice is English, said by the English voice
    english = c.machine.step.choices[0].label
    assert english != choice and FRENCH_START not in reading.control_text(c, english)
    c.set_language("fr")
    assert reading.control_text(c, choice) == f"{choice}, bouton."
