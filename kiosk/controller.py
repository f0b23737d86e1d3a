"""The kiosk's controller: everything the kiosk does, without Kivy.

It owns the session machine, the services (printer, help desk, statistics, speech) and
the wipe registry, and carries out what a visitor or conseiller asks for: start and
reset a visit, call for help, print the summary, read aloud, change the text size, and
feed the conseiller menu. kiosk/app.py only draws the machine's state and forwards taps
here; tests drive this class directly with a fake clock and recording services.

Threads: services report on their own worker threads. Every such report goes through
`post`, which hands a function to the UI thread (the App passes Clock.schedule_once;
tests pass `lambda fn: fn()`), so the machine is only ever changed on one thread.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from kiosk import i18n, sdnotify
from kiosk.config import Config
from kiosk.conseiller import CallLine, ConseillerMode, ConseillerSources
from kiosk.content import search
from kiosk.content.model import Category, ContentPack, Procedure
from kiosk.helpcall import CallContext, CallStatus, HelpCall
from kiosk.pin import PinGate
from kiosk.ports import PrintOutcomeLike, SpeechOut
from kiosk.privacy import SessionVault, WipeRegistry, write_wipe_status
from kiosk.receipts import Receipt, build_procedure_receipt, build_test_receipt
from kiosk.services import Services, stats_sink
from kiosk.session import HelpStatus, SessionMachine, State, Visit
from kiosk.speech import Speaker
from kiosk.theme import TEXT_SCALES

log = logging.getLogger(__name__)

# A call no channel has delivered after this long sends the visitor to the desk (the kiosk
# keeps trying meanwhile): a webhook retrying with backoff is not a conseiller on the way.
HELP_UNREACHED_AFTER_S = 30

Post = Callable[[Callable[[], None]], None]


@dataclass(frozen=True)
class HelpTexts:
    """Translation keys for the help panel's title and detail line, and the banner."""

    title: str
    detail: str
    banner: str


HELP_TEXTS = {
    "waiting": HelpTexts("help.title_sending", "help.detail_wait", "help.banner_sending"),
    "unreached": HelpTexts("help.title_unreached", "help.detail_go_to_desk", "help.banner_go_to_desk"),
    "delivered": HelpTexts("help.title_delivered", "help.detail_wait", "help.banner_delivered"),
    "acknowledged": HelpTexts("help.title_coming", "help.detail_coming", "help.banner_coming"),
    "no_channel": HelpTexts("help.title_no_channel", "help.detail_go_to_desk", "help.banner_go_to_desk"),
}
Listener = Callable[[], None]
# Printer statuses in which « Imprimer » is not offered, and the line saying why.
PRINTER_PROBLEMS = {"paper_out": "summary.printer_no_paper", "offline": "summary.printer_off"}


def run_now(fn: Callable[[], None]) -> None:
    """The `post` for tests and tools that have no UI thread: run the report at once."""
    fn()


class KioskController:
    def __init__(self, cfg: Config, pack: ContentPack, services: Services, *, post: Post = run_now,
                 clock: Callable[[], float] = time.monotonic, speaker: SpeechOut | None = None):
        self.cfg, self.pack, self.services = cfg, pack, services
        self.t = i18n.Catalog(cfg.kiosk.language)
        self.wipes = WipeRegistry()
        self.vault = SessionVault(cfg.data_dir / "session")
        self.search_index = search.SearchIndex(pack)
        self.speaker: SpeechOut = speaker if speaker is not None else Speaker()
        self._post = post
        self._listeners: list[Listener] = []
        stats = services.stats
        self.machine = SessionMachine(pack, cfg.session, clock=clock, on_reset=self._on_reset,
                                      help_max_wait_s=cfg.helpcall.max_wait_s,
                                      help_unreached_after_s=HELP_UNREACHED_AFTER_S,
                                      events=stats_sink(stats) if stats is not None else None)
        self.machine.add_listener(lambda _machine: self._notify())
        c = cfg.conseiller
        # On disk, so that killing the kiosk does not reset the count of wrong PINs.
        gate = PinGate(c.pin_hash, c.technician_pin_hash, c.lockout_attempts, c.lockout_s,
                       state_path=cfg.data_dir / "pin-lockout.json")
        self.pin_gate: PinGate | None = gate if gate.enabled else None
        self.conseiller: ConseillerMode | None = (ConseillerMode(gate, post=post)
                                                  if gate.enabled else None)
        # What « Redémarrer » and « Quitter vers le bureau » do: the App sets it.
        self.on_quit: Callable[[int], None] = lambda _exit_status: None
        self._register_wipes()

    # ----- life cycle -------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        """Called on the UI thread after any change worth drawing (session or printer)."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def start(self) -> None:
        """Start the services' workers; call once the UI can take their reports."""
        self.vault.clean_leftovers()
        helpcall = self.services.helpcall
        if helpcall is not None:
            helpcall.add_listener(lambda call: self._post(lambda: self._on_help_call(call)))
            # The physical call button goes through the same handler as the on-screen one.
            helpcall.set_button_handler(lambda: self._post(self.call_help))
            helpcall.start()
        printer = self.services.printer
        if printer is not None:
            printer.add_status_listener(lambda _status: self._post(self._notify))
        if self.pin_gate is None:
            log.info("conseiller mode off: no PIN hash in [conseiller]")

    def close(self) -> None:
        self.speaker.close()
        self.services.close()

    def failsafe(self, error: BaseException) -> None:
        self.machine.failsafe(error)

    # ----- the visit ---------------------------------------------------------------------
    def start_session(self) -> None:
        report = self.wipes.last_report
        if report is not None and not report.clean:
            # A failed wipe blocks new sessions until a second wipe passes.
            if not self.wipes.wipe_all().clean:
                return
        self.machine.start()

    def go_home(self) -> None:
        """« Accueil »: asks first when leaving would drop what the visitor did."""
        self.machine.ask_to_leave()

    def answer_leave(self, leave: bool) -> None:
        self.machine.answer_leave(leave)

    def more_time(self) -> None:
        self.machine.more_time()

    def open_category(self, category_id: str | None) -> None:
        self.machine.open_category(category_id)

    def open_procedure(self, procedure_id: str) -> None:
        self.machine.open_procedure(procedure_id)

    def set_search(self, query: str) -> None:
        self.machine.set_search(query)

    def next(self) -> None:
        self.machine.next()

    def previous(self) -> None:
        self.machine.previous()

    def choose(self, choice_index: int) -> None:
        self.machine.choose(choice_index)

    def toggle(self, item_id: str) -> None:
        self.machine.toggle(item_id)

    def set_field(self, value: str) -> None:
        self.machine.set_field(value)

    def toggle_show_in_full(self) -> None:
        self.machine.toggle_show_in_full()

    def keep_going(self) -> None:
        self.machine.keep_going()

    def end_session(self, reason: str = "visitor finished") -> None:
        self.machine.end_session(reason)

    def tick(self) -> None:
        before = self.machine.state
        self.machine.tick()
        if self.machine.state is State.IDLE_WARNING and before is not State.IDLE_WARNING:
            self.speak(self.idle_warning_text())

    def idle_warning_text(self) -> str:
        """What the idle warning says (on screen and aloud)."""
        seconds = int(-(-self.machine.warning_left_s() // 1))  # rounded up: « 1 s », never « 0 s »
        return f"{self.t('idle.question')} {self.t('idle.countdown', count=seconds, seconds=seconds)}"

    # ----- what the home screen lists ----------------------------------------------------
    def home_order(self, category_id: str | None = None) -> list[Procedure]:
        """Procedures, most used first (statistics when there are enough, else popularity)."""
        stats = self.services.stats
        return search.home_order(self.pack, stats.usage_counts() if stats is not None else None,
                                 category=category_id)

    def home_categories(self) -> list[Category]:
        return search.home_categories(self.pack)

    def search(self, query: str) -> list[Procedure]:
        return self.search_index.search(query)

    # ----- text size and speech --------------------------------------------------------
    @property
    def text_scale(self) -> float:
        return TEXT_SCALES[self.machine.visit.text_scale_index]

    def cycle_text_size(self) -> None:
        index = (self.machine.visit.text_scale_index + 1) % len(TEXT_SCALES)
        log.info("text scale %s", TEXT_SCALES[index])
        self.machine.set_text_scale(index)

    def speak(self, text: str) -> None:
        self.speaker.speak(text)

    # ----- printing ----------------------------------------------------------------------
    def printing_available(self) -> bool:
        return self.printer_problem() is None

    def printer_problem(self) -> str | None:
        """Translation key of the one plain line saying why « Imprimer » cannot be used now
        (no printer, no paper, printer off), from the status the printer last reported;
        None when a print can be tried."""
        printer = self.services.printer
        if printer is None:
            return "summary.no_printer"
        return PRINTER_PROBLEMS.get(printer.status.value)

    def receipt_preview(self) -> Receipt | None:
        """The receipt the printer would get now (the summary shows its typed values as
        they would print, and the QR code carries its content when it cannot print)."""
        proc, visit = self.machine.procedure, self.machine.visit
        if proc is None:
            return None
        return build_procedure_receipt(proc, visit, self.cfg.kiosk, datetime.now())

    def print_summary(self) -> None:
        machine, printer = self.machine, self.services.printer
        visit, proc = machine.visit, machine.procedure
        if machine.state is not State.SUMMARY or proc is None:
            return
        if not machine.may_print():
            return  # a second tap never prints twice; « Imprimer un autre exemplaire » is asked for
        if printer is None:
            machine.print_finished(False, "print.unavailable")
            return
        receipt = build_procedure_receipt(proc, visit, self.cfg.kiosk, datetime.now())
        job_key = f"{id(visit)}-{proc.id}-{visit.print_copies + 1}"

        def done(outcome: PrintOutcomeLike) -> None:  # on the printer's worker thread
            self._post(lambda: self._print_done(visit, outcome))

        machine.print_started()
        if not printer.submit(receipt, job_key, done):
            machine.print_finished(False, printer.last_refusal_key or "print.unavailable")

    def _print_done(self, visit: Visit, outcome: PrintOutcomeLike) -> None:
        if self.machine.visit is not visit:
            return  # that visitor has gone; say nothing to the next one
        self.machine.print_finished(outcome.ok, outcome.message_key)
        if self.services.stats is not None:
            self.services.stats.print_done(outcome.ok)

    # ----- help calls ----------------------------------------------------------------------
    def call_help(self) -> None:
        machine = self.machine
        if machine.state in (State.ATTRACT, State.GOODBYE):
            self.start_session()
        if machine.visit.help_number:
            machine.show_help_panel(True)  # already called: show the number again
            return
        helpcall = self.services.helpcall
        if helpcall is None:
            log.error("help call asked for, but the kiosk has no help desk service")
            return
        proc, step = machine.procedure, machine.step
        context = CallContext(procedure_id=proc.id if proc else None,
                              procedure_title=proc.title if proc else None,
                              step_id=step.id if step else None,
                              step_title=step.title if step else None,
                              elapsed_s=round(machine.elapsed_s()))
        call = helpcall.request(context)
        machine.help_requested(call.number, call.id)
        if self.services.stats is not None:
            self.services.stats.help_called()

    def help_texts(self) -> HelpTexts:
        """What the panel and the banner say about the call: only what the kiosk knows.

        « prévenu » once a channel has reached a person, « arrive » once a conseiller
        answered; while nobody is reached yet, that the call is on its way; with no channel
        that reaches a person, or nobody reached after a while, go to the desk."""
        helpcall = self.services.helpcall
        status = self.machine.visit.help_status
        if status is HelpStatus.ACKNOWLEDGED:
            return HELP_TEXTS["acknowledged"]  # a conseiller answered, here or from afar
        if helpcall is None or not helpcall.channels_configured():
            return HELP_TEXTS["no_channel"]
        return HELP_TEXTS.get(status.value, HELP_TEXTS["waiting"])

    def _on_help_call(self, call: HelpCall) -> None:
        if call.id != self.machine.visit.help_call_id:
            return
        if call.status in (CallStatus.CANCELLED, CallStatus.EXPIRED):
            self.machine.help_updated(HelpStatus.NONE)
        elif call.status is CallStatus.WAITING and self.machine.visit.help_status is HelpStatus.UNREACHED:
            return  # still nobody reached: the visitor keeps being sent to the desk
        else:
            self.machine.help_updated(HelpStatus(call.status.value))

    def close_help_panel(self) -> None:
        self.machine.show_help_panel(False)

    def cancel_help(self) -> None:
        call_id = self.machine.visit.help_call_id
        if call_id is not None and self.services.helpcall is not None:
            self.services.helpcall.cancel(call_id)
        self.machine.help_updated(HelpStatus.NONE)

    def _forget_help_call(self) -> None:
        """At reset: the visitor has gone, a conseiller coming now would find nobody."""
        visit = self.machine.visit
        if visit.help_call_id is not None and self.services.helpcall is not None:
            self.services.helpcall.cancel(visit.help_call_id)
        visit.help_call_id, visit.help_panel_open = None, False

    # ----- conseiller menu ---------------------------------------------------------------
    def conseiller_sources(self) -> ConseillerSources:
        """What the conseiller menu shows and does (never anything a visitor typed)."""
        return ConseillerSources(
            pending_calls=self.pending_calls,
            acknowledge=self.acknowledge,
            printer_status=self.printer_line,
            test_print=self.test_print if self.services.printer is not None else None,
            today=self.today,
            restart=lambda: self.quit(0),
            leave_to_desktop=lambda: self.quit(sdnotify.LEAVE_TO_DESKTOP_EXIT_STATUS),
        )

    def pending_calls(self) -> list[CallLine]:
        helpcall = self.services.helpcall
        now = time.time()
        return [CallLine(call_id=c.id, number=c.number, procedure=c.context.procedure_title or "",
                         step=c.context.step_title or "", waiting_s=now - c.created_at,
                         acknowledged=c.status is CallStatus.ACKNOWLEDGED)
                for c in (helpcall.waiting() if helpcall is not None else [])]

    def acknowledge(self, call_id: str) -> None:
        if self.services.helpcall is not None:
            self.services.helpcall.acknowledge(call_id)

    def printer_line(self) -> tuple[str, str]:
        """(OK | WARN | FAIL, the sentence the conseiller reads about the printer)."""
        printer = self.services.printer
        if printer is None:
            return "WARN", self.t("conseiller.printer_none")
        status = printer.status.value
        level = {"ready": "OK", "paper_low": "WARN"}.get(status, "FAIL")
        key = f"conseiller.printer_{status}"
        return level, self.t(key) if key in self.t.keys() else ""

    def test_print(self, done: Callable[[bool], None]) -> None:
        printer = self.services.printer
        if printer is None:
            done(False)
            return
        receipt = build_test_receipt(self.cfg.kiosk, datetime.now())
        if not printer.submit(receipt, f"test-{time.monotonic()}", lambda outcome: done(outcome.ok)):
            done(False)

    def today(self) -> dict[str, float | int]:
        stats = self.services.stats
        return stats.today() if stats is not None else {}

    def quit(self, exit_status: int) -> None:
        """Restart (systemd starts the kiosk again) or leave to the desktop (it does not)."""
        log.info("conseiller asked to %s", "leave to the desktop" if exit_status else "restart")
        self.on_quit(exit_status)

    # ----- reset and wipe ----------------------------------------------------------------
    def _register_wipes(self) -> None:
        machine, visit = self.machine, lambda: self.machine.visit
        # The help call first: it reads the call's id from the visit, which the next clears.
        self.wipes.register("help call", self._forget_help_call,
                            lambda: visit().help_call_id is None and not visit().help_panel_open)
        self.wipes.register("session data", lambda: visit().clear(), lambda: visit().is_empty())
        self.wipes.register("session files", self.vault.wipe, self.vault.is_empty)
        self.wipes.register("text size", lambda: setattr(visit(), "text_scale_index", 0),
                            lambda: machine.visit.text_scale_index == 0)
        self.wipes.register("speech", self.speaker.stop, self.speaker.is_silent)
        if self.conseiller is not None:
            # The next visitor must never find the menu open or a PIN half typed.
            self.wipes.register("conseiller mode", self.conseiller.wipe, self.conseiller.is_empty)
        printer = self.services.printer
        if printer is not None:
            self.wipes.register("print queue", printer.cancel_pending, lambda: printer.pending_count == 0)

    def register_wipe(self, name: str, wipe: Callable[[], None], is_empty: Callable[[], bool]) -> None:
        """For holders only the UI knows (text inputs, clipboard, render caches)."""
        self.wipes.register(name, wipe, is_empty)

    def _on_reset(self, reason: str) -> None:
        report = self.wipes.wipe_all()
        status_path = self.cfg.data_dir / "wipe-status.json"
        # For `kiosk doctor`: holder names and results only, written off the UI thread.
        threading.Thread(target=write_wipe_status, args=(status_path, report, time.time()),
                         name="wipe-status", daemon=True).start()
        log.info("reset (%s): wipe %s", reason, "verified" if report.clean else "FAILED")
