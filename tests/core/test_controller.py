"""The controller's logic without a window: fake clock, recording help desk, dummy printer.

Worker reports are posted to a list the test drains, as the UI thread would run them,
so every test sees exactly what crosses from a worker thread to the machine.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.helpcall import CallStatus
from kiosk.services import Services
from kiosk.session import HelpStatus, PrintStatus, State
from kiosk.theme import TEXT_SCALES
from tests.speech_support import RecordingSpeaker


class UiThread:
    """What the App's Clock.schedule_once does: run posted reports later, in order."""

    def __init__(self):
        self.posted: list = []
        self.lock = threading.Lock()

    def post(self, fn) -> None:
        with self.lock:
            self.posted.append(fn)

    def run_posted(self) -> int:
        with self.lock:
            posted, self.posted = self.posted, []
        for fn in posted:
            fn()
        return len(posted)


@pytest.fixture
def ui():
    return UiThread()


@pytest.fixture
def make_controller(tmp_path, real_pack, fake_clock, help_desk, ui):
    made = []

    def make(printer=None, **services):
        cfg = Config(kiosk=KioskSection(data_dir=tmp_path, name="Borne test", place="Lens"),
                     printer=PrinterSection(connection="dummy"))
        services.setdefault("helpcall", help_desk)
        controller = KioskController(cfg, real_pack, Services(printer=printer, **services),
                                     post=ui.post, clock=fake_clock, speaker=RecordingSpeaker())
        controller.start()
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.close()


def walk_to_summary(c: KioskController, procedure_id: str = "creer-adresse-email") -> None:
    c.start_session()
    c.open_procedure(procedure_id)
    for _ in range(40):
        if c.machine.state is State.SUMMARY:
            return
        step = c.machine.step
        if step.kind == "question":
            c.choose(0)
        elif step.kind == "field":
            c.set_field("1" * 10 if step.keyboard == "number" else "canari-42")
            c.next()
        else:
            c.next()
    raise AssertionError(f"no summary reached in {procedure_id}")


def test_a_help_call_opens_the_panel_and_a_second_tap_only_shows_it_again(make_controller, help_desk):
    c = make_controller()
    c.call_help()  # from the attract screen: the visit starts with the call
    v = c.machine.visit
    assert c.machine.state is State.HOME
    assert (v.help_number, v.help_call_id, v.help_panel_open) == (1, "call-1", True)
    c.close_help_panel()
    assert not v.help_panel_open and v.help_number == 1
    c.call_help()
    assert v.help_panel_open and len(help_desk.requests) == 1


def test_with_no_channel_the_visitor_is_sent_to_the_desk(make_controller, help_desk):
    c = make_controller()
    c.call_help()
    assert c.help_texts().title == "help.title_sending"
    help_desk.configured = False
    texts = c.help_texts()
    assert (texts.title, texts.detail) == ("help.title_no_channel", "help.detail_go_to_desk")
    assert "prévenu" not in c.t(texts.title) + c.t(texts.banner, number=1)


def test_prevenu_only_once_delivered_and_the_desk_when_nobody_is_reached(make_controller, help_desk, ui, fake_clock):
    c = make_controller()
    c.call_help()
    said = [c.t(c.help_texts().title)]
    fake_clock.advance(31)
    c.tick()
    assert c.machine.visit.help_status is HelpStatus.UNREACHED
    said.append(c.t(c.help_texts().detail))
    help_desk.report("call-1", CallStatus.WAITING)  # a retry: still nobody
    ui.run_posted()
    assert c.machine.visit.help_status is HelpStatus.UNREACHED
    help_desk.report("call-1", CallStatus.DELIVERED)
    ui.run_posted()
    said.append(c.t(c.help_texts().title))
    help_desk.report("call-1", CallStatus.ACKNOWLEDGED)
    ui.run_posted()
    said.append(c.t(c.help_texts().title))
    assert said == ["Nous appelons un conseiller", "Allez à l'accueil et donnez ce numéro.",
                    "Un conseiller a été prévenu", "Un conseiller arrive"]


def test_desk_reports_reach_the_machine_only_through_the_ui_thread(make_controller, help_desk, ui):
    c = make_controller()
    c.call_help()
    help_desk.report("call-1", CallStatus.ACKNOWLEDGED)
    assert c.machine.visit.help_status is HelpStatus.WAITING  # not yet: still on the worker side
    assert ui.run_posted() == 1
    assert c.machine.visit.help_status is HelpStatus.ACKNOWLEDGED
    assert c.help_texts().detail == "help.detail_coming"
    help_desk.report("call-1", CallStatus.EXPIRED)
    ui.run_posted()
    v = c.machine.visit
    assert (v.help_number, v.help_call_id, v.help_panel_open) == (0, None, False)


def test_a_report_about_another_call_changes_nothing(make_controller, help_desk, ui):
    c = make_controller()
    c.call_help()
    c.cancel_help()
    assert help_desk.cancelled == ["call-1"]
    c.call_help()
    # A late report for the first, cancelled call.
    help_desk.calls["call-1"] = dataclasses.replace(help_desk.calls["call-2"], id="call-1", number=1)
    help_desk.report("call-1", CallStatus.ACKNOWLEDGED)
    ui.run_posted()
    assert c.machine.visit.help_status is HelpStatus.WAITING


def test_the_reset_cancels_the_visitors_call_and_the_wipe_is_verified(make_controller, help_desk):
    c = make_controller()
    c.call_help()
    c.end_session("visitor erased")
    assert help_desk.cancelled == ["call-1"]
    report = c.wipes.last_report
    assert report is not None and report.clean
    assert {"help call", "session data", "text size", "speech"} <= set(report.results)
    assert c.machine.state is State.GOODBYE and c.machine.visit.is_empty()


def test_text_size_cycles_holds_from_the_attract_screen_and_resets(make_controller):
    c = make_controller()
    seen = []
    c.add_listener(lambda: seen.append(c.machine.visit.text_scale_index))
    c.cycle_text_size()  # before the first touch
    c.start_session()
    assert c.machine.visit.text_scale_index == 1 and c.text_scale == TEXT_SCALES[1]
    for _ in range(len(TEXT_SCALES) - 1):
        c.cycle_text_size()
    assert c.machine.visit.text_scale_index == 0
    c.cycle_text_size()
    c.end_session()
    assert c.machine.visit.text_scale_index == 0
    assert seen[0] == 1  # every change was announced


def test_typing_and_the_print_in_full_tick_notify_listeners(make_controller):
    c = make_controller()
    proc, field_step = next((p, s) for p in c.pack.procedures.values() for s in p.steps
                            if s.kind == "field" and s.personal)
    c.start_session()
    c.open_procedure(proc.id)
    c.machine.visit.step_id = field_step.id  # straight to that step: the walk is not under test
    changes = []
    c.add_listener(lambda: changes.append(c.machine.can_go_next()))
    c.set_field("a")
    c.set_field("a")  # the same value again is no change
    assert len(changes) == 1
    c.toggle_show_in_full()
    assert len(changes) == 2 and field_step.id in c.machine.visit.show_in_full


def test_with_no_printer_the_summary_says_so_at_once(make_controller):
    c = make_controller()
    walk_to_summary(c)
    assert not c.printing_available()
    c.print_summary()
    v = c.machine.visit
    assert (v.print_status, v.print_message_key) == (PrintStatus.FAILED, "print.unavailable")


def test_a_real_dummy_printer_prints_once_and_reports_on_the_ui_thread(make_controller, ui, tmp_path):
    from hardware.printer import PrintService
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path), printer=PrinterSection(connection="dummy"))
    connections = []

    def factory():
        from hardware.printer import DummyConnection
        connections.append(DummyConnection())
        return connections[-1]

    printer = PrintService(cfg, connection_factory=factory)
    c = make_controller(printer=printer)
    walk_to_summary(c)
    c.print_summary()
    c.print_summary()  # a second tap never prints twice
    assert c.machine.visit.print_status is PrintStatus.PRINTING
    deadline = time.monotonic() + 10  # a bound for what must happen, not a speed target
    # Status reports are posted too: run them all until the print's own report arrives.
    while c.machine.visit.print_status is PrintStatus.PRINTING and time.monotonic() < deadline:
        ui.run_posted()
        time.sleep(0.02)
    assert c.machine.visit.print_status is PrintStatus.DONE
    output = b"".join(job for conn in connections for job in conn.jobs)
    assert output.count(b"\x1dV") == 1  # one receipt, one cut
    text = output.decode("cp1252", errors="replace")
    assert c.machine.procedure.title.split()[0] in text


def test_a_print_result_for_a_visitor_who_left_is_not_shown_to_the_next(make_controller):
    c = make_controller()
    walk_to_summary(c)
    old_visit = c.machine.visit
    c.end_session()
    c.start_session()
    c._print_done(old_visit, replace_outcome(ok=True))
    assert c.machine.visit.print_status is PrintStatus.NONE


def replace_outcome(ok: bool):
    from hardware.printer import PrintOutcome
    return PrintOutcome(job_key="k", ok=ok, message_key="print.done" if ok else "print.failed")


def test_the_idle_warning_says_its_short_question_once_by_itself(make_controller, fake_clock):
    # Outside speech mode nothing over 3 s is said unasked: the question alone (1.5 s).
    c = make_controller()
    c.start_session()
    fake_clock.advance(c.machine.idle_limit_s() + 1)
    c.tick()
    c.tick()
    assert c.machine.state is State.IDLE_WARNING
    assert c.speaker.said == [c.t("idle.question")]


def test_a_failed_wipe_blocks_the_next_visit_until_a_wipe_passes(make_controller):
    c = make_controller()
    stuck = {"full": True}
    c.register_wipe("stubborn", lambda: None, lambda: not stuck["full"])
    c.start_session()
    c.end_session()
    assert not c.wipes.last_report.clean
    c.start_session()
    assert c.machine.state is State.GOODBYE  # refused
    stuck["full"] = False
    c.start_session()
    assert c.machine.state is State.HOME


def test_the_conseiller_menu_reads_calls_printer_and_quits_through_the_app(make_controller, help_desk):
    c = make_controller()
    assert c.printer_line()[0] == "WARN" and c.printer_line()[1]
    assert c.conseiller_sources().test_print is None
    c.call_help()
    assert [call.number for call in c.pending_calls()] == [1]
    c.acknowledge("call-1")
    assert help_desk.acknowledged == ["call-1"]
    quits = []
    c.on_quit = quits.append
    c.quit(64)
    assert quits == [64]


def test_the_config_without_pin_hash_has_no_conseiller_mode(make_controller):
    assert make_controller().pin_gate is None


def test_the_failsafe_resets_and_cancels_the_visitors_call(make_controller, help_desk):
    c = make_controller()
    c.call_help()
    c.failsafe(RuntimeError("boom"))
    assert c.machine.state is State.GOODBYE and help_desk.cancelled == ["call-1"]


def test_the_reset_forgets_what_the_search_cached_of_the_visitor(make_controller):
    # The search index caches every typed token as a dict key: that outlived the visit
    # (tests/screens/test_memory_scan.py found it in memory after a verified wipe).
    c = make_controller()
    c.machine.start()
    c.search("qzcanarimemo")
    assert not c.search_index.remembers_nothing()
    c.end_session("visitor erased")
    assert c.search_index.remembers_nothing()
    assert c.wipes.last_report.results["search cache"] is True


def test_printer_problems_are_named(make_controller):
    from hardware.printer.status import PrinterStatus

    class StatusOnly:  # only the status is read; a real printer in each state is in tests/hardware
        status = PrinterStatus.READY

        def add_status_listener(self, fn):
            pass

        def close(self):
            pass

        cancel_pending = close
        pending_count = 0

    assert make_controller().printer_problem() == "summary.no_printer"
    printer = StatusOnly()
    c = make_controller(printer=printer)
    assert c.printer_problem() is None and c.printing_available()
    for status, key in ((PrinterStatus.PAPER_OUT, "summary.printer_no_paper"),
                        (PrinterStatus.OFFLINE, "summary.printer_off"),
                        (PrinterStatus.UNKNOWN, None), (PrinterStatus.PAPER_LOW, None)):
        printer.status = status
        assert c.printer_problem() == key


def test_the_conseiller_menu_is_told_when_calls_reach_nobody(make_controller, help_desk):
    # Issue 12: with no help channel, a visitor's call reaches nobody; the menu must say so.
    assert not make_controller().conseiller_sources().help_reaches_nobody()
    help_desk.configured = False
    assert make_controller().conseiller_sources().help_reaches_nobody()
    assert make_controller(helpcall=None).conseiller_sources().help_reaches_nobody()


def test_in_speech_mode_the_help_calls_state_is_said_as_it_changes(make_controller, help_desk, ui):
    c = make_controller()
    c.set_speech_mode(True)
    c.call_help()
    c.close_help_panel()
    before = len(c.speaker.said)
    help_desk.report("call-1", CallStatus.DELIVERED)
    ui.run_posted()
    assert c.speaker.said[before:] == [c.t("help.banner_delivered", number=c.machine.visit.help_number)]
    help_desk.report("call-1", CallStatus.ACKNOWLEDGED)
    ui.run_posted()
    assert c.speaker.said[-1] == c.t("help.banner_coming", number=c.machine.visit.help_number)
    assert "arrive" in c.speaker.said[-1]
