"""The session state machine, driven with a fake monotonic clock: no window, no waiting."""

import logging

import pytest

from kiosk.config import SessionSection
from kiosk.session import SessionMachine, State

SETTINGS = SessionSection(idle_timeout_s=60, idle_warning_s=20, goodbye_s=5)
ANTS = "ants-pre-demande-carte-identite"


@pytest.fixture
def machine(real_pack, fake_clock):
    resets = []
    m = SessionMachine(real_pack, SETTINGS, clock=fake_clock, on_reset=resets.append)
    m.resets = resets
    return m


def walk_to_question(m):
    m.start()
    m.open_procedure(ANTS)
    assert m.step.id == "intro"
    m.next()
    assert m.step.id == "papers"
    m.next()
    assert m.step.id == "site" and m.step.link.url == "https://ants.gouv.fr"  # the way to the site first
    m.next()
    assert m.step.kind == "question"


def test_first_touch_goes_home_and_every_transition_is_logged(machine, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.session")
    assert machine.state is State.ATTRACT
    machine.start()
    assert machine.state is State.HOME
    machine.open_procedure(ANTS)
    assert machine.state is State.STEP
    assert "session attract -> home (first touch)" in caplog.text
    assert f"session home -> step (procedure chosen) procedure={ANTS} step=intro" in caplog.text


def test_question_branches_lead_to_different_steps(machine):
    walk_to_question(machine)
    machine.choose(0)
    assert machine.step.id == "franceconnect"
    machine.previous()
    assert machine.step.kind == "question"
    machine.choose(1)
    assert machine.step.id == "creer-compte"
    machine.next()
    assert machine.step.id == "formulaire"


def test_next_is_refused_on_an_unanswered_question(machine):
    walk_to_question(machine)
    question = machine.step.id
    assert not machine.can_go_next()
    machine.next()
    assert machine.step.id == question


def test_progress_counts_the_longest_remaining_path(machine):
    machine.start()
    machine.open_procedure(ANTS)
    current, total = machine.progress()
    assert current == 1
    # intro, papers, site, question, branch, formulaire, numero, rendez-vous, fin
    assert total == 9
    machine.next()
    assert machine.progress() == (2, 9)


def test_checklist_ticks_toggle_and_unknown_items_are_ignored(machine):
    machine.start()
    machine.open_procedure(ANTS)
    machine.next()
    machine.toggle("photo")
    machine.toggle("domicile")
    machine.toggle("photo")
    machine.toggle("not-an-item")
    assert machine.visit.checked == {"papers": {"domicile"}}


def test_field_pattern_blocks_next_until_valid(machine):
    walk_to_question(machine)
    machine.choose(0)
    machine.next()
    machine.next()
    assert machine.step.kind == "field"
    machine.set_field("AB12")
    assert machine.field_error(machine.step.id) == "field.invalid"
    machine.next()
    assert machine.step.kind == "field"
    machine.set_field("AB12CD34EF")
    assert machine.field_error(machine.step.id) is None
    machine.next()
    assert machine.step.kind == "link"


def test_optional_field_may_stay_empty_but_required_may_not(machine):
    walk_to_question(machine)
    machine.choose(0)
    machine.next()
    machine.next()
    assert machine.step.optional
    assert machine.field_error(machine.step.id) is None


def test_reaching_the_end_step_shows_the_summary_and_previous_goes_back(machine):
    walk_to_question(machine)
    machine.choose(1)
    for _ in range(4):
        machine.next()
    assert machine.state is State.SUMMARY
    assert machine.step.kind == "end"
    machine.previous()
    assert machine.state is State.STEP and machine.step.kind == "link"


def test_idle_warning_then_reset_wipes_everything(machine, fake_clock):
    walk_to_question(machine)
    machine.choose(0)
    machine.next()
    machine.next()
    machine.set_field("AB12CD34EF")
    fake_clock.advance(59)
    machine.tick()
    assert machine.state is State.STEP
    fake_clock.advance(1)
    machine.tick()
    assert machine.state is State.IDLE_WARNING
    fake_clock.advance(10)
    machine.tick()
    assert machine.warning_left_s() == pytest.approx(10)
    old_visit = machine.visit
    fake_clock.advance(10)
    machine.tick()
    assert machine.state is State.GOODBYE
    assert machine.resets == ["inactivity"]
    assert old_visit.is_empty() and old_visit.fields == {}
    assert machine.visit.is_empty()
    fake_clock.advance(5)
    machine.tick()
    assert machine.state is State.ATTRACT


def test_one_touch_during_the_warning_continues_where_the_visitor_was(machine, fake_clock):
    walk_to_question(machine)
    step = machine.step.id
    fake_clock.advance(60)
    machine.tick()
    assert machine.state is State.IDLE_WARNING
    machine.touch()
    assert machine.state is State.STEP and machine.step.id == step
    fake_clock.advance(59)
    machine.tick()
    assert machine.state is State.STEP


def test_a_step_with_a_longer_limit_waits_longer(machine, fake_clock):
    machine.start()
    machine.open_procedure(ANTS)
    machine.next()
    assert machine.step.idle_timeout_s == 300
    fake_clock.advance(299)
    machine.tick()
    assert machine.state is State.STEP
    fake_clock.advance(1)
    machine.tick()
    assert machine.state is State.IDLE_WARNING


def test_a_waiting_help_call_pauses_the_reset_up_to_its_limit(real_pack, fake_clock):
    m = SessionMachine(real_pack, SETTINGS, clock=fake_clock, help_max_wait_s=300)
    m.start()
    m.help_requested(7)
    fake_clock.advance(200)
    m.tick()
    assert m.state is State.HOME
    fake_clock.advance(100)
    m.tick()
    assert m.state is State.IDLE_WARNING


def test_end_session_resets_at_once(machine):
    walk_to_question(machine)
    machine.end_session()
    assert machine.state is State.GOODBYE
    assert machine.resets == ["visitor finished"]


def test_failsafe_resets_and_never_logs_the_exception_text(machine, caplog):
    walk_to_question(machine)
    try:
        raise ValueError("secret-AB12CD34EF")
    except ValueError as e:
        machine.failsafe(e)
    assert machine.state is State.GOODBYE
    assert "failsafe after unexpected ValueError" in caplog.text
    assert "secret" not in caplog.text


def test_logs_never_contain_what_the_visitor_typed(machine, caplog, fake_clock):
    caplog.set_level(logging.DEBUG)
    walk_to_question(machine)
    machine.choose(0)
    machine.next()
    machine.next()
    machine.set_field("CANARY1234")
    machine.next()
    fake_clock.advance(400)
    machine.tick()
    machine.tick()
    fake_clock.advance(30)
    machine.tick()
    assert caplog.records
    assert "CANARY1234" not in caplog.text


def test_events_for_statistics_carry_ids_and_reasons_only(real_pack, fake_clock):
    events = []
    m = SessionMachine(real_pack, SETTINGS, clock=fake_clock,
                       events=lambda *e: events.append(e))
    m.start()
    m.open_procedure(ANTS)
    m.next()
    m.go_home()                      # gave up at the checklist
    m.open_procedure("creer-adresse-email")
    m.next()
    m.choose(0)
    m.next()                         # reaches an end
    fake_clock.advance(42)
    m.end_session()
    names = [e[0] for e in events]
    assert names == ["session_started", "procedure_started", "procedure_abandoned",
                     "procedure_started", "procedure_finished", "session_ended"]
    assert events[2][1:3] == (ANTS, "papers")
    assert events[-1][2] == "visitor finished" and events[-1][3] == pytest.approx(42)


def test_inactivity_during_a_step_counts_as_given_up_at_that_step(real_pack, fake_clock):
    events = []
    m = SessionMachine(real_pack, SETTINGS, clock=fake_clock, events=lambda *e: events.append(e))
    m.start()
    m.open_procedure(ANTS)
    fake_clock.advance(60)
    m.tick()
    fake_clock.advance(20)
    m.tick()
    assert ("procedure_abandoned", ANTS, "intro", 1) in events
    assert events[-1][:3] == ("session_ended", "", "inactivity")


def test_a_broken_statistics_sink_never_breaks_the_visit(real_pack, fake_clock):
    def broken(*_):
        raise OSError("disk full")
    m = SessionMachine(real_pack, SETTINGS, clock=fake_clock, events=broken)
    m.start()
    m.open_procedure(ANTS)
    assert m.state is State.STEP


def test_leaving_asks_only_when_something_ticked_chosen_or_typed_would_be_erased(machine):
    machine.start()
    machine.open_procedure(ANTS)
    machine.next()                   # moved forward only: nothing to erase, leaves at once
    machine.ask_to_leave()
    assert machine.state is State.HOME and not machine.visit.leave_asked
    machine.open_procedure(ANTS)
    machine.next()
    machine.toggle("photo")
    machine.toggle("photo")          # ticked then unticked: nothing left to erase
    machine.ask_to_leave()
    assert machine.state is State.HOME
    machine.open_procedure(ANTS)
    machine.next()
    machine.toggle("photo")
    machine.ask_to_leave()
    assert machine.state is State.STEP and machine.visit.leave_asked
    machine.answer_leave(False)
    assert machine.visit.checked["papers"] == {"photo"} and not machine.visit.leave_asked
    machine.ask_to_leave()
    machine.answer_leave(True)
    assert machine.state is State.HOME and not machine.visit.checked
