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
from datetime import date, datetime
from typing import Callable

from kiosk import i18n, languages, reading, sdnotify
from kiosk.browser.allowlist import is_browsable
from kiosk.browser.service import BrowserReport
from kiosk.config import Config
from kiosk.conseiller import CallLine, ConseillerMode, ConseillerSources, content_review
from kiosk.content import search, translations
from kiosk.content.model import Category, ContentPack, Procedure
from kiosk.helpcall import CallContext, CallStatus, HelpCall
from kiosk.languages import Language
from kiosk.pin import PinGate
from kiosk.ports import PrintOutcomeLike, SpeechOut
from kiosk.privacy import SessionVault, WipeRegistry, write_wipe_status
from kiosk.receipts import Receipt, build_procedure_receipt, build_test_receipt, help_line_texts
from kiosk.services import Services, stats_sink
from kiosk.session import HelpStatus, SessionMachine, State, Visit
from kiosk.speech import DEFAULT_RATE, DEFAULT_VOLUME, Speaker
from kiosk.theme import TEXT_SCALES

log = logging.getLogger(__name__)

# A call no channel has delivered after this long sends the visitor to the desk (the kiosk
# keeps trying meanwhile): a webhook retrying with backoff is not a conseiller on the way.
HELP_UNREACHED_AFTER_S = 30
# What the visitor can set without sight (espeak-ng -a and -s), in steps.
VOLUME_RANGE, VOLUME_STEP = (20, 200), 20
RATE_RANGE, RATE_STEP = (80, 260), 20

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
        # The screens' t(): follows the visitor's language, back to [kiosk] language at reset.
        self.t = i18n.Translator(cfg.kiosk.language)
        self.wipes = WipeRegistry()
        self.vault = SessionVault(cfg.data_dir / "session")
        self._search_indexes: dict[str, search.SearchIndex] = {}  # by language, built when first used
        self.speaker: SpeechOut = speaker if speaker is not None else Speaker()
        self._post = post
        self._listeners: list[Listener] = []
        stats = services.stats
        self.machine = SessionMachine(pack, cfg.session, clock=clock, on_reset=self._on_reset,
                                      help_max_wait_s=cfg.helpcall.max_wait_s,
                                      help_unreached_after_s=HELP_UNREACHED_AFTER_S,
                                      events=stats_sink(stats) if stats is not None else None)
        self.machine.default_language = cfg.kiosk.language
        self.machine.add_listener(lambda _machine: self._notify())
        self._shown_key: tuple | None = None
        self._announced_key: tuple = ("", "")
        self.machine.add_listener(lambda _machine: self._on_change())
        c = cfg.conseiller
        # On disk, so that killing the kiosk does not reset the count of wrong PINs.
        gate = PinGate(c.pin_hash, c.technician_pin_hash, c.lockout_attempts, c.lockout_s,
                       state_path=cfg.data_dir / "pin-lockout.json")
        self.pin_gate: PinGate | None = gate if gate.enabled else None
        self.conseiller: ConseillerMode | None = (ConseillerMode(gate, post=post)
                                                  if gate.enabled else None)
        # What « Redémarrer » and « Quitter vers le bureau » do: the App sets it.
        self.on_quit: Callable[[int], None] = lambda _exit_status: None
        # Signed content updates: UpdateService.on_attract (quick: symlink renames and a pack
        # its worker already loaded); asked on the attract screen only.
        updates = services.updates
        self.pack_updates: Callable[[], ContentPack | None] | None = (
            updates.on_attract if updates is not None else None)
        # Guided browsing: what the browser last said ("open", "crashed", "unavailable") and
        # the site the guide asked it for. Service state like the printer's status: no
        # visitor data (a site is content), cleared at reset.
        self.browser_status: str | None = None
        self._site_asked: str | None = None
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
        for fleet in (self.services.updates, self.services.metrics):
            if fleet is not None:
                fleet.start()  # each does nothing when its section is off
        browser = self.services.browser
        if browser is not None:
            browser.add_listener(lambda report: self._post(lambda: self._on_browser(report)))
            # The kiosk's page for a refused address, in the visit's language (read on the
            # guard's thread: one attribute read, nothing changed).
            browser.session.page_language = lambda: self.language.code
            browser.start()
            self.machine.add_listener(lambda _machine: self._follow_site())
            if browser.columns is not None:
                columns = browser.columns
                self.machine.add_listener(lambda machine: columns.follow(machine.visit.text_scale_index))
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
            self._prestart_browser()
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
        step = self.machine.step
        before = self.machine.visit.fields.get(step.id, "") if step is not None else ""
        self.machine.set_field(value)
        if self.machine.visit.speech_mode and step is not None and value != before:
            self.speak(reading.typed_echo(self, before, value))

    def toggle_show_in_full(self) -> None:
        self.machine.toggle_show_in_full()

    def keep_going(self) -> None:
        self.machine.keep_going()

    def end_session(self, reason: str = "visitor finished") -> None:
        self.machine.end_session(reason)

    def tick(self) -> None:
        self.machine.tick()
        if self.machine.state is State.ATTRACT and self.pack_updates is not None:
            pack = self.pack_updates()
            if pack is not None:
                self.use_pack(pack)

    def use_pack(self, pack: ContentPack) -> None:
        """Switch to another content pack: on the attract screen only, where no visit uses the old one."""
        if self.machine.state is not State.ATTRACT:
            raise RuntimeError("the content pack changes only on the attract screen")
        self.pack = self.machine.content = pack
        self._search_indexes = {}
        log.info("content pack switched: %d procedures", len(pack.procedures))
        self._notify()

    def idle_warning_text(self) -> str:
        """What the idle warning says (on screen and aloud)."""
        seconds = int(-(-self.machine.warning_left_s() // 1))  # rounded up: « 1 s », never « 0 s »
        return f"{self.t('idle.question')} {self.t('idle.countdown', count=seconds, seconds=seconds)}"

    # ----- what the home screen lists ----------------------------------------------------
    def home_order(self, category_id: str | None = None) -> list[Procedure]:
        """Procedures, most used first (statistics when there are enough, else popularity)."""
        stats = self.services.stats
        found = search.home_order(self.pack, stats.usage_counts() if stats is not None else None,
                                  category=category_id)
        language = self.machine.language
        return [self.pack.procedure_in(p.id, language) for p in found]

    def home_categories(self) -> list[Category]:
        return search.home_categories(self.pack, self.machine.language)

    @property
    def search_index(self) -> search.SearchIndex:
        """The index of the visit's language: its translated words, and the French ones."""
        language = self.machine.language
        if language not in self._search_indexes:
            self._search_indexes[language] = search.SearchIndex(self.pack, language)
        return self._search_indexes[language]

    def search(self, query: str) -> list[Procedure]:
        return self.search_index.search(query)

    def _forget_searches(self) -> None:
        for index in self._search_indexes.values():
            index.forget()

    def procedure_notes(self, proc: Procedure) -> list[str]:
        """The notes shown with a procedure, in the visit's language: « en français » on one
        shown in French, and on a translated one that the official site is in French."""
        return [self.t(key) for key in translations.notes(proc, self.machine.language)]

    def in_french_mark(self, proc: Procedure) -> str:
        """« en français » in the visit's language for a procedure shown in French, else ""."""
        keys = translations.notes(proc, self.machine.language)
        return self.t(translations.NOTE_IN_FRENCH) if translations.NOTE_IN_FRENCH in keys else ""

    # ----- text size and speech --------------------------------------------------------
    @property
    def text_scale(self) -> float:
        return TEXT_SCALES[self.machine.visit.text_scale_index]

    def cycle_text_size(self) -> None:
        index = (self.machine.visit.text_scale_index + 1) % len(TEXT_SCALES)
        log.info("text scale %s", TEXT_SCALES[index])
        self.machine.set_text_scale(index)

    # ----- language --------------------------------------------------------------------
    @property
    def language(self) -> Language:
        """The language the screens show now: the visitor's choice, else [kiosk] language."""
        return languages.language(self.machine.visit.language or self.cfg.kiosk.language)

    def set_language(self, code: str) -> None:
        """The language button: every screen switches at once; ticks and fields stay."""
        if code not in languages.BY_CODE:
            log.error("set_language: unknown language %r (allowed: %s)", code, ", ".join(languages.CODES))
            return
        log.info("language %s", code)
        self.speaker.stop()  # a sentence read aloud in the old language must not go on
        self.t.use(code)
        self.machine.set_language("" if code == self.cfg.kiosk.language else code)

    def _reset_language(self) -> None:
        self.machine.visit.language = ""
        self.t.use(self.cfg.kiosk.language)

    def speak(self, text: str) -> None:
        v = self.machine.visit
        self.speaker.set_voice(v.speech_volume, v.speech_rate, self.language.code)
        self.speaker.speak(text)

    def stop_speech(self) -> None:
        """Any touch, « Arrêter », a new screen: silence at once."""
        self.speaker.stop()

    def screen_text(self) -> str:
        """Everything on the screen in front of the visitor, in reading order."""
        return reading.screen_text(self)

    def repeat(self) -> None:
        """« Écouter » and « Répéter »."""
        self.speak(self.screen_text())

    def set_speech_mode(self, on: bool) -> None:
        v = self.machine.visit
        if self.machine.state in (State.ATTRACT, State.GOODBYE):
            self.start_session()
            v = self.machine.visit
        self.machine.set_speech(on, v.speech_volume, v.speech_rate)
        log.info("speech mode %s", "on" if on else "off")
        if on:
            self.speak(f"{self.t('speech.mode_on')} {self.screen_text()}")
        else:
            self.speak(self.t("speech.mode_off"))

    def toggle_speech_mode(self) -> None:
        self.set_speech_mode(not self.machine.visit.speech_mode)

    def change_voice(self, volume_steps: int = 0, rate_steps: int = 0) -> None:
        """« Plus fort », « Moins fort », « Plus vite », « Moins vite »; said in the new voice."""
        v = self.machine.visit
        volume = min(max(v.speech_volume + volume_steps * VOLUME_STEP, VOLUME_RANGE[0]), VOLUME_RANGE[1])
        rate = min(max(v.speech_rate + rate_steps * RATE_STEP, RATE_RANGE[0]), RATE_RANGE[1])
        self.machine.set_speech(v.speech_mode, volume, rate)
        if rate_steps:
            self.speak(self.t("speech.rate", percent=round(100 * rate / DEFAULT_RATE)))
        else:
            self.speak(self.t("speech.volume", percent=round(100 * volume / DEFAULT_VOLUME)))

    def screen_key(self) -> tuple:
        m, v = self.machine, self.machine.visit
        return (m.state, v.procedure_id, v.step_id, len(v.history), v.category_id,
                bool(v.search_query.strip()), v.leave_asked, v.help_panel_open)

    def _on_change(self) -> None:
        """A new screen stops what was being said. In speech mode it is then read; otherwise
        only the idle warning's short question is said by itself (no sound over 3 s starts
        without the visitor asking for speech), and the invitation on a new attract screen."""
        key = self.screen_key()
        v = self.machine.visit
        changed = key != self._shown_key
        if changed:
            first = self._shown_key is None
            self._shown_key = key
            self.speaker.stop()
            if v.speech_mode:
                self.speak(self.screen_text())
            elif self.machine.state is State.IDLE_WARNING:
                self.speak(self.t("idle.question"))
            elif self.machine.state is State.ATTRACT and not first:
                self.speak(self.t("speech.invite"))  # once per attract entry, under 3 s
        announced = (v.print_message_key, v.help_status.value)
        if announced != self._announced_key:
            self._announced_key = announced
            if v.speech_mode and not changed and any(announced):
                self._announce(v)

    def _announce(self, v: Visit) -> None:
        """In speech mode: what changed on the same screen (the print, the help call)."""
        parts = []
        if v.print_message_key:
            parts.append(self.t(v.print_message_key))
        if v.help_number:
            parts.append(self.t(self.help_texts().banner, number=v.help_number))
        self.speak(" ".join(parts))

    # ----- printing ----------------------------------------------------------------------
    def help_lines(self) -> list[str]:
        """The configured phone lines as shown on the summary; none configured, none shown."""
        return help_line_texts(self.cfg.help_lines, self.t)

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
        return build_procedure_receipt(proc, visit, self.cfg.kiosk, datetime.now(), self.cfg.help_lines, self.t)

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
        receipt = build_procedure_receipt(proc, visit, self.cfg.kiosk, datetime.now(), self.cfg.help_lines, self.t)
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

    # ----- guided browsing ---------------------------------------------------------------
    def _follow_site(self) -> None:
        """When the visitor reaches a step done on a site, show that site beside the guide."""
        step = self.machine.step
        if self.machine.state is not State.STEP or step is None or not step.site:
            return
        if step.site != self._site_asked:
            self.open_site(step.site)

    def open_site(self, url: str) -> None:
        """Show url in the browser (a step's site, or the summary's link)."""
        browser = self.services.browser
        if browser is None:
            return
        self._site_asked = url
        if not browser.submit(url):
            self.browser_status = "unavailable"
            self._notify()

    def reopen_site(self) -> None:
        """« Rouvrir la page » after the browser closed: the guide's state is untouched."""
        browser = self.services.browser
        if browser is not None and self._site_asked and browser.submit(self._site_asked):
            self.browser_status = None
            self._notify()

    def _on_browser(self, report: BrowserReport) -> None:
        if report.url != self._site_asked:
            return  # about an earlier page, or a visitor who has gone
        self.browser_status = report.status
        columns = self.services.browser.columns
        if report.status == "open" and columns is not None:
            columns.site_shown()  # sway sized the new window at 60 %: the text size's width again
        self._notify()

    def site_beside(self) -> str | None:
        """What the step screen says about the browser: None (nothing to say: no browsing,
        or the page is there), "crashed" (offer « Rouvrir la page ») or "unavailable" (the
        QR code path)."""
        if self.services.browser is None or self.browser_status == "open":
            return None
        return self.browser_status

    def site_note_keys(self) -> tuple[str, ...]:
        """What the guide says about the site of this step, as text keys (shown and read):
        where the page is and how to type on it, that downloads are not kept (the managed
        policy refuses them), or why it is not there. Nothing without guided browsing."""
        step = self.machine.step
        if self.services.browser is None or step is None or not step.site:
            return ()
        return {"crashed": ("step.site_closed",), "unavailable": ("step.site_unavailable",)}.get(
            self.browser_status or "", ("browse.site_beside", "browse.no_download"))

    def summary_site(self) -> str | None:
        """The summary's « Ouvrir le site »: the link on the visitor's path, when guided
        browsing is on and that link is a site the browser may open (else the QR code alone)."""
        browser, proc = self.services.browser, self.machine.procedure
        if browser is None or proc is None:
            return None
        link = proc.link_on_path(self.machine.visit.history)
        if link is None or not is_browsable(link.url, browser.extra):
            return None
        return link.url

    def open_summary_site(self) -> None:
        url = self.summary_site()
        if url is not None:
            self.open_site(url)

    def _forget_browser(self) -> None:
        self.browser_status, self._site_asked = None, None
        browser = self.services.browser
        if browser is not None:
            browser.wipe()

    def _browser_forgotten(self) -> bool:
        browser = self.services.browser
        return self._site_asked is None and (browser is None or browser.is_empty())

    # ----- conseiller menu ---------------------------------------------------------------
    def conseiller_sources(self) -> ConseillerSources:
        """What the conseiller menu shows and does (never anything a visitor typed)."""
        return ConseillerSources(
            pending_calls=self.pending_calls,
            help_reaches_nobody=self.help_reaches_nobody,
            acknowledge=self.acknowledge,
            printer_status=self.printer_line,
            test_print=self.test_print if self.services.printer is not None else None,
            today=self.today,
            content_review=lambda: content_review(self.pack.procedures.values(), date.today()),
            restart=lambda: self.quit(0),
            leave_to_desktop=lambda: self.quit(sdnotify.LEAVE_TO_DESKTOP_EXIT_STATUS),
        )

    def help_reaches_nobody(self) -> bool:
        helpcall = self.services.helpcall
        return helpcall is None or not helpcall.channels_configured()

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
        self.wipes.register("language", self._reset_language,
                            lambda: visit().language == "" and self.t.language == self.cfg.kiosk.language)
        # Through self.speaker at call time: tests may swap in a recording speaker.
        self.wipes.register("speech", lambda: self.speaker.stop(), lambda: self.speaker.is_silent())
        # Speech mode, volume and rate are the visitor's: the next one starts from the default.
        self.wipes.register("speech settings", self._default_voice,
                            lambda: visit().speech_is_default())
        # Its cache is keyed by the words the visitor typed in the search; through
        # Every language's index, read at call time: a new content pack brings new ones.
        self.wipes.register("search cache", self._forget_searches,
                            lambda: all(i.remembers_nothing() for i in self._search_indexes.values()))
        if self.services.browser is not None:
            # Process group ended, profile folder deleted, both checked.
            self.wipes.register("browser", self._forget_browser, self._browser_forgotten)
        if self.conseiller is not None:
            # The next visitor must never find the menu open or a PIN half typed.
            self.wipes.register("conseiller mode", self.conseiller.wipe, self.conseiller.is_empty)
        printer = self.services.printer
        if printer is not None:
            self.wipes.register("print queue", printer.cancel_pending, lambda: printer.pending_count == 0)

    def _default_voice(self) -> None:
        visit = self.machine.visit
        visit.speech_mode, visit.speech_volume, visit.speech_rate = False, DEFAULT_VOLUME, DEFAULT_RATE
        self.speaker.set_voice(DEFAULT_VOLUME, DEFAULT_RATE, self.cfg.kiosk.language)

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
        if report.clean:
            self._prestart_browser()

    def _prestart_browser(self) -> None:
        """Once the wipe is verified (no process, no folder of the visit that ended): a fresh
        browser for the next visitor, started by the browser's worker, not this thread."""
        browser = self.services.browser
        if browser is not None:
            browser.prestart()
