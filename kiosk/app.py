"""The Kivy App: wires the session machine, the screens and the hardware services.

This is the only module in kiosk/ that imports Kivy. It owns no visitor state: the
session machine does. Workers (printer, help calls) report back on their own threads;
every report is moved to the UI thread with Clock.schedule_once before it touches the
machine or a widget.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from kiosk import i18n, sdnotify, theme
from kiosk.config import ASSETS_DIR, Config
from kiosk.content import search
from kiosk.content.model import ContentPack
from kiosk.privacy import SessionVault, WipeRegistry, write_wipe_status
from kiosk.session import SessionMachine, State

log = logging.getLogger(__name__)

TICK_S = 0.25
KEYBOARD_LAYOUT = ASSETS_DIR / "keyboards" / "fr_kiosk.json"


def configure_kivy(cfg: Config) -> None:
    """Settings Kivy reads once, before the window exists."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config as KivyConfig

    KivyConfig.set("kivy", "exit_on_escape", "0")
    # Field steps lay out their own keyboard (screens/keyboard.py); a docked one would
    # cover the step's buttons.
    KivyConfig.set("kivy", "keyboard_mode", "system")
    KivyConfig.set("graphics", "width", str(cfg.display.window_width_px))
    KivyConfig.set("graphics", "height", str(cfg.display.window_height_px))
    KivyConfig.set("graphics", "fullscreen", "auto" if cfg.kiosk.fullscreen else "0")
    KivyConfig.set("graphics", "show_cursor", "0" if cfg.kiosk.fullscreen else "1")
    from kiosk.kivy_input import configure_kivy_input
    configure_kivy_input(KivyConfig, cfg.input)
    _no_x_selection()


class _DropCutbufferComplaint(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Cutbuffer: Unable to find")


def _no_x_selection() -> None:
    """Keep visitor text out of X's selections, which no wipe of ours can reach.

    On Linux, Kivy copies every text selection to the X PRIMARY selection through xclip
    or xsel when one is installed (its "cut buffer"), and prefers them as the clipboard.
    The kiosk uses SDL2's clipboard (wiped at reset) and no cut buffer at all. Finding
    none, Kivy logs a CRITICAL line with two tracebacks at every start: that one line
    is dropped, as it describes what we chose.
    """
    import kivy
    kivy.kivy_options["clipboard"] = ("sdl2", "dummy")
    kivy.kivy_options["cutbuffer"] = ()
    kivy_logger = logging.getLogger("kivy")
    if not any(isinstance(f, _DropCutbufferComplaint) for f in kivy_logger.filters):
        kivy_logger.addFilter(_DropCutbufferComplaint())


@dataclass
class Services:
    """The hardware and network services the app talks to; tests inject their own."""

    printer: Any = None      # hardware.printer.PrintService, or None for no printer
    helpcall: Any = None     # kiosk.helpcall.HelpCallService
    stats: Any = None        # kiosk.stats.Stats
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for service in (self.printer, self.helpcall, self.stats):
            if service is not None:
                try:
                    service.close()
                except Exception:
                    log.exception("closing %s failed", type(service).__name__)


def default_services(cfg: Config) -> Services:
    from hardware.printer import PrintService
    from kiosk.helpcall import HelpCallService
    from kiosk.stats import Stats

    printer = PrintService(cfg) if cfg.printer.connection != "none" else None
    stats = Stats(cfg.data_path(cfg.stats.db_file), flush_interval_s=cfg.stats.flush_interval_s)
    helpcall = HelpCallService(cfg, print_ticket=ticket_printer(cfg, printer))
    return Services(printer=printer, helpcall=helpcall, stats=stats)


def ticket_printer(cfg: Config, printer) -> Callable[[int], None] | None:
    """The help-call ticket channel: a queue number printed big on the kiosk's printer."""
    if printer is None:
        return None
    from kiosk.receipts import build_help_ticket

    def print_ticket(number: int) -> None:
        ticket = build_help_ticket(number, cfg.kiosk, datetime.now())
        if not printer.submit(ticket, f"ticket-{number}", lambda outcome: None):
            raise OSError("the printer refused the ticket")  # the channel retries later
    return print_ticket


# Why a session ended, in the words of kiosk.stats (finished | inactivity | failsafe | …).
_END_REASONS = {"visitor finished": "finished", "visitor erased": "finished",
                "inactivity": "inactivity", "failsafe": "failsafe"}


def stats_sink(stats) -> Callable[[str, str, str, float], None]:
    """Turn the session machine's events into statistics counters."""
    def sink(event: str, procedure_id: str, step_id: str, value: float) -> None:
        if event == "session_started":
            stats.session_started()
        elif event == "session_ended":
            stats.session_ended(value, _END_REASONS.get(step_id, "other"))
        elif event == "procedure_started":
            stats.procedure_started(procedure_id)
        elif event == "procedure_finished":
            stats.procedure_finished(procedure_id)
        elif event == "procedure_abandoned":
            stats.procedure_abandoned(procedure_id, step_id)
    return sink


TEXT_CACHES = ("textinput.label", "textinput.width")


def _clear_text_caches() -> None:
    from kivy.cache import Cache
    for category in TEXT_CACHES:
        Cache.remove(category)


def _text_caches_empty() -> bool:
    from kivy.cache import Cache
    return not any(Cache._objects.get(category) for category in TEXT_CACHES)


def _load_kv_once() -> None:
    from kivy.lang import Builder
    from screens import KV_DIR

    for name in ("widgets", "root", "overlays", "attract", "home", "step", "summary"):
        path = str(KV_DIR / f"{name}.kv")
        if path not in Builder.files:
            Builder.load_file(path)


def _build_app_class():
    from kivy.app import App
    from kivy.base import ExceptionHandler, ExceptionManager
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.properties import DictProperty, NumericProperty, StringProperty
    from kivy.uix.screenmanager import NoTransition

    from screens.attract import AttractScreen
    from screens.home import HomeScreen
    from screens.overlays import HelpPanel, IdleWarning
    from screens.root import KioskRoot
    from screens.step import StepScreen
    from screens.summary import SummaryScreen

    class _Failsafe(ExceptionHandler):
        """An exception escaping any callback resets the session instead of crashing."""

        def __init__(self, app):
            self.app = app

        def handle_exception(self, inst):
            if isinstance(inst, (KeyboardInterrupt, SystemExit)):
                return ExceptionManager.RAISE
            self.app.failures.append(inst)
            self.app.machine.failsafe(inst)
            return ExceptionManager.PASS

    class KioskApp(App):
        target_px = NumericProperty(60)
        gap_px = NumericProperty(12)
        body_px = NumericProperty(24)
        title_px = NumericProperty(34)
        big_number_px = NumericProperty(72)
        text_scale_index = NumericProperty(0)
        font_regular = StringProperty(theme.FONT_REGULAR)
        font_bold = StringProperty(theme.FONT_BOLD)
        colors = DictProperty({k: [*v, 1.0] for k, v in theme.COLOURS.items()})

        def __init__(self, cfg: Config, pack: ContentPack, services: Services | None = None,
                     clock: Callable[[], float] = time.monotonic, **kwargs):
            super().__init__(**kwargs)
            self.cfg = cfg
            self.pack = pack
            self.services = services if services is not None else default_services(cfg)
            self.t = i18n.Catalog(cfg.kiosk.language)
            self.wipes = WipeRegistry()
            self.vault = SessionVault(cfg.data_dir / "session")
            self.search_index = search.SearchIndex(pack)
            self.failures: list[BaseException] = []
            stats = self.services.stats
            self.machine = SessionMachine(pack, cfg.session, clock=clock, on_reset=self._on_reset,
                                          help_max_wait_s=cfg.helpcall.max_wait_s,
                                          events=stats_sink(stats) if stats is not None else None)
            self.machine.add_listener(self._on_session_change)
            self._help_panel_open = False
            self._help_call_id: str | None = None
            self._speaker: subprocess.Popen | None = None
            # espeak-ng's French voice, offline; tests point it at a WAV file with -w.
            self.speech_argv = ["espeak-ng", "-v", "fr", "-s", "140"]
            self._exception_handler = _Failsafe(self)
            self._stopped = False
            self.exit_status = 0
            self.title = "Pas à pas"

        # ----- life cycle ----------------------------------------------------------------
        def build(self):
            _load_kv_once()
            self._apply_metrics()
            Window.clearcolor = (1, 1, 1, 1)
            Window.bind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard,
                        size=lambda *_: self._apply_metrics())
            ExceptionManager.add_handler(self._exception_handler)
            root = KioskRoot(app=self)
            sm = root.ids.sm
            sm.transition = NoTransition()  # no animation: calmer for visitors, exact for tests
            sm.app = self
            for screen in (AttractScreen(), HomeScreen(), StepScreen(), SummaryScreen()):
                sm.add_widget(screen)
            self.idle_overlay = IdleWarning()
            self.help_overlay = HelpPanel()
            self._register_wipes(root)
            self._add_conseiller_mode(root)
            self._start_services()
            self._tick_event = Clock.schedule_interval(self._tick, TICK_S)
            self._watchdog_event = None
            period = sdnotify.watchdog_period_s()
            if period:
                # Fed from the UI thread's clock: a frozen UI stops feeding it and is restarted.
                self._watchdog_event = Clock.schedule_interval(lambda _dt: sdnotify.notify("WATCHDOG=1"), period)
            Clock.schedule_once(self._ready, 0.5)
            self.root_widget = root
            Clock.schedule_once(lambda _dt: self._on_session_change(self.machine), 0)
            return root

        def _ready(self, _dt) -> None:
            sdnotify.notify("READY=1")
            log.info("kiosk ready: %d procedures, printer %s", len(self.pack.procedures),
                     self.cfg.printer.connection)

        def _start_services(self) -> None:
            helpcall = self.services.helpcall
            if helpcall is not None:
                helpcall.add_listener(lambda call: Clock.schedule_once(lambda _dt: self._on_help_call(call), 0))
                if hasattr(helpcall, "set_button_handler"):
                    helpcall.set_button_handler(lambda: Clock.schedule_once(lambda _dt: self.call_help(), 0))
                helpcall.start()
            printer = self.services.printer
            if printer is not None:
                printer.add_status_listener(lambda _s: Clock.schedule_once(lambda _dt: self._render(), 0))

        def on_stop(self):
            # Kivy 2.3.1 dispatches on_stop twice; shutdown() dispatches it too.
            if not self._stopped:
                self.shutdown()

        def shutdown(self) -> None:
            """Stop timers and services and take the root off the window (tests call this)."""
            if self._stopped and getattr(self, "_shut", False):
                return
            self._stopped = self._shut = True
            for event in (getattr(self, "_tick_event", None), getattr(self, "_watchdog_event", None)):
                if event is not None:
                    event.cancel()
            ExceptionManager.remove_handler(self._exception_handler) if self._exception_handler in ExceptionManager.handlers else None
            Window.unbind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard)
            self._stop_speaking()
            self.services.close()
            if self.root is not None and self.root.parent is not None:
                self.root.parent.remove_widget(self.root)
            for overlay in (getattr(self, "idle_overlay", None), getattr(self, "help_overlay", None)):
                if overlay is not None and overlay.parent is not None:
                    overlay.parent.remove_widget(overlay)
            # kv's `app` caches the running app until on_stop: without this, a next app in
            # the same process would have its buttons act on this one.
            self.dispatch("on_stop")

        # ----- kiosk hardening -----------------------------------------------------------
        def _refuse_close(self, *_args, **_kwargs) -> bool:
            log.info("window close request refused")
            return True

        def _on_keyboard(self, _window, key, *_args) -> bool:
            # Escape (27) would close the app, F1 (282) open Kivy's settings.
            return key in (27, 282)

        def open_settings(self, *_args):
            return False

        # ----- sizes ---------------------------------------------------------------------
        def _apply_metrics(self) -> None:
            d = self.cfg.display
            w, h = Window.size if Window else (d.window_width_px, d.window_height_px)
            # Millimetres are taken from the configured screen: the window is the screen
            # on a kiosk, and in a smaller development window things scale with it.
            scale = theme.TEXT_SCALES[int(self.text_scale_index)]
            m = theme.Metrics.for_screen(d.window_width_px, d.window_height_px, d.diagonal_in, scale)
            self.cfg_metrics = m
            self.target_px, self.gap_px = m.target_px, m.gap_px
            self.body_px, self.title_px, self.big_number_px = m.body_px, m.title_px, m.big_number_px

        def cycle_text_size(self) -> None:
            self.text_scale_index = (int(self.text_scale_index) + 1) % len(theme.TEXT_SCALES)
            log.info("text scale %s", theme.TEXT_SCALES[int(self.text_scale_index)])
            self._apply_metrics()
            self._rebuild_current()

        # ----- rendering -----------------------------------------------------------------
        def _on_session_change(self, machine: SessionMachine) -> None:
            self._render()

        def _current_screen_name(self) -> str:
            state = self.machine.state
            if state is State.IDLE_WARNING:
                return self.root_widget.ids.sm.current
            return {State.ATTRACT: "attract", State.GOODBYE: "attract", State.HOME: "home",
                    State.STEP: "step", State.SUMMARY: "summary"}[state]

        def _render(self) -> None:
            if self._stopped or not hasattr(self, "root_widget"):
                return
            root, machine = self.root_widget, self.machine
            sm = root.ids.sm
            name = self._current_screen_name()
            if sm.current != name:
                sm.current = name
            if machine.state is not State.IDLE_WARNING:
                sm.get_screen(name).show(machine)
            root.show(machine)
            self._set_overlay(self.idle_overlay, machine.state is State.IDLE_WARNING)
            self._set_overlay(self.help_overlay, self._help_panel_open and machine.visit.help_number > 0)
            if machine.state is State.IDLE_WARNING:
                self.idle_overlay.show(machine, self)
            if self.help_overlay.parent is not None:
                self.help_overlay.show(machine, self)

        def _rebuild_current(self) -> None:
            screen = self.root_widget.ids.sm.current_screen
            if hasattr(screen, "_shown_step"):
                screen._shown_step = None
            self._render()

        def _set_overlay(self, overlay, visible: bool) -> None:
            if visible and overlay.parent is None:
                self.root_widget.add_widget(overlay)
            elif not visible and overlay.parent is not None:
                overlay.parent.remove_widget(overlay)

        def _tick(self, _dt) -> None:
            before = self.machine.state
            self.machine.tick()
            if self.machine.state is State.IDLE_WARNING:
                self.idle_overlay.show(self.machine, self)
                if before is not State.IDLE_WARNING:
                    self.speak(self.idle_overlay.spoken_text())

        # ----- visitor actions that need more than the machine --------------------------
        def start_session(self) -> None:
            report = self.wipes.last_report
            if report is not None and not report.clean:
                # A failed wipe blocks new sessions until a second wipe passes.
                if not self.wipes.wipe_all().clean:
                    return
            self.machine.start()

        def go_home(self) -> None:
            self.machine.go_home()

        def home_order(self, category_id: str | None = None) -> list:
            """Procedures, most used first (statistics when there are enough, else popularity)."""
            stats = self.services.stats
            return search.home_order(self.pack, stats.usage_counts() if stats is not None else None,
                                     category=category_id)

        def home_categories(self) -> list:
            return search.home_categories(self.pack)

        def search(self, query: str) -> list:
            return self.search_index.search(query)

        def clear_search(self) -> None:
            self.root_widget.ids.sm.get_screen("home").clear_search()
            self.machine.set_search("")

        def field_changed(self, value: str) -> None:
            self.machine.set_field(value)
            self._render()

        def toggle_show_in_full(self) -> None:
            step = self.machine.step
            if step is not None:
                self.machine.set_show_in_full(step.id, step.id not in self.machine.visit.show_in_full)
                self._render()

        def printing_available(self) -> bool:
            printer = self.services.printer
            if printer is None:
                return False
            from hardware.printer import PrinterStatus
            return printer.status is not PrinterStatus.PAPER_OUT

        def print_summary(self) -> None:
            machine, printer = self.machine, self.services.printer
            visit, proc = machine.visit, machine.procedure
            if machine.state is not State.SUMMARY or visit.print_status in ("printing", "done"):
                return  # a second tap never prints twice
            if printer is None:
                machine.print_finished(False, "print.unavailable")
                return
            from kiosk.receipts import build_procedure_receipt

            receipt = build_procedure_receipt(proc, visit, self.cfg.kiosk, datetime.now())
            job_key = f"{id(visit)}-{proc.id}"

            def done(outcome) -> None:  # worker thread
                Clock.schedule_once(lambda _dt: self._print_done(visit, outcome), 0)

            machine.print_started()
            if not printer.submit(receipt, job_key, done):
                machine.print_finished(False, printer.last_refusal_key or "print.unavailable")

        def _print_done(self, visit, outcome) -> None:
            if self.machine.visit is not visit:
                return  # that visitor has gone; say nothing to the next one
            self.machine.print_finished(outcome.ok, outcome.message_key)
            if self.services.stats is not None:
                self.services.stats.print_done(outcome.ok)

        # ----- help calls ----------------------------------------------------------------
        def call_help(self) -> None:
            machine = self.machine
            if machine.state in (State.ATTRACT, State.GOODBYE):
                self.start_session()
            if machine.visit.help_number:
                self._help_panel_open = True  # already called: show the number again
                self._render()
                return
            helpcall = self.services.helpcall
            from kiosk.helpcall import CallContext

            proc, step = machine.procedure, machine.step
            context = CallContext(procedure_id=proc.id if proc else None,
                                  procedure_title=proc.title if proc else None,
                                  step_id=step.id if step else None,
                                  step_title=step.title if step else None,
                                  elapsed_s=round(machine.elapsed_s()))
            call = helpcall.request(context)
            self._help_call_id = call.id
            self._help_panel_open = True
            machine.help_requested(call.number)
            if self.services.stats is not None:
                self.services.stats.help_called()

        def help_detail_key(self) -> str:
            helpcall = self.services.helpcall
            if self.machine.visit.help_status == "acknowledged":
                return "help.detail_coming"
            if hasattr(helpcall, "channels_configured") and not helpcall.channels_configured():
                return "help.detail_ask_desk"
            return "help.detail_wait"

        def _on_help_call(self, call) -> None:
            if call.id != self._help_call_id:
                return
            status = call.status.name.lower()
            if status in ("cancelled", "expired"):
                self._help_call_id = None
                self._help_panel_open = False
                self.machine.help_updated("")
            else:
                self.machine.help_updated(status)

        def close_help_panel(self) -> None:
            self._help_panel_open = False
            self._render()

        def cancel_help(self) -> None:
            if self._help_call_id is not None:
                self.services.helpcall.cancel(self._help_call_id)
            self._help_call_id = None
            self._help_panel_open = False
            self.machine.help_updated("")

        # ----- conseiller mode -----------------------------------------------------------
        def _add_conseiller_mode(self, root) -> None:
            from kiosk.pin import PinGate
            from screens.conseiller import ConseillerCorner, ConseillerPanel

            c = self.cfg.conseiller
            gate = PinGate(c.pin_hash, c.technician_pin_hash, c.lockout_attempts, c.lockout_s)
            if not gate.enabled:
                log.info("conseiller mode off: no PIN hash in [conseiller]")
                return
            self.conseiller_panel = ConseillerPanel(gate=gate, sources=self._conseiller_sources())
            self.conseiller_corner = ConseillerCorner()
            self.conseiller_corner.bind(on_long_press=lambda *_: self.conseiller_panel.open_in(root))
            root.add_widget(self.conseiller_corner)

        def _conseiller_sources(self):
            from kiosk.helpcall import CallStatus
            from screens.conseiller import CallLine, ConseillerSources

            helpcall, printer, stats = self.services.helpcall, self.services.printer, self.services.stats

            def pending_calls() -> list:
                now = time.time()
                return [CallLine(call_id=c.id, number=c.number, procedure=c.context.procedure_title or "",
                                 step=c.context.step_title or "", waiting_s=now - c.created_at,
                                 acknowledged=c.status is CallStatus.ACKNOWLEDGED)
                        for c in (helpcall.waiting() if helpcall is not None else [])]

            def printer_status() -> tuple[str, str]:
                if printer is None:
                    return "WARN", self.t("conseiller.printer_none")
                status = printer.status.value
                level = {"ready": "OK", "paper_low": "WARN"}.get(status, "FAIL")
                key = f"conseiller.printer_{status}"
                return level, self.t(key) if key in self.t.keys() else ""

            def test_print(done: Callable[[bool], None]) -> None:
                from kiosk.receipts import build_test_receipt
                receipt = build_test_receipt(self.cfg.kiosk, datetime.now())
                if not printer.submit(receipt, f"test-{time.monotonic()}", lambda o: done(o.ok)):
                    done(False)

            return ConseillerSources(
                pending_calls=pending_calls,
                acknowledge=lambda call_id: helpcall.acknowledge(call_id),
                printer_status=printer_status,
                test_print=test_print if printer is not None else None,
                today=stats.today if stats is not None else dict,
                restart=lambda: self._quit(0),
                leave_to_desktop=lambda: self._quit(sdnotify.LEAVE_TO_DESKTOP_EXIT_STATUS),
            )

        def _quit(self, exit_status: int) -> None:
            """Restart (systemd starts the kiosk again) or leave to the desktop (it does not)."""
            log.info("conseiller asked to %s", "leave to the desktop" if exit_status else "restart")
            self.exit_status = exit_status
            self.stop()

        # ----- reading aloud -------------------------------------------------------------
        def read_aloud(self) -> None:
            screen = self.root_widget.ids.sm.current_screen
            for overlay in (self.help_overlay, self.idle_overlay):
                if overlay.parent is not None:
                    screen = overlay
            self.speak(screen.spoken_text())

        def speak(self, text: str) -> None:
            """Say text with espeak-ng's French voice, without waiting for it."""
            self._stop_speaking()
            if not text or shutil.which(self.speech_argv[0]) is None:
                return
            try:
                self._speaker = subprocess.Popen([*self.speech_argv, "--", text],
                                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError as e:
                log.warning("espeak-ng could not start: %s", type(e).__name__)

        def _stop_speaking(self) -> None:
            if self._speaker is not None and self._speaker.poll() is None:
                self._speaker.terminate()
            self._speaker = None

        # ----- reset and wipe ------------------------------------------------------------
        def _register_wipes(self, root) -> None:
            from kivy.core.clipboard import Clipboard

            self.vault.clean_leftovers()
            self.wipes.register("session data", lambda: self.machine.visit.clear(),
                                lambda: self.machine.visit.is_empty())
            self.wipes.register("session files", self.vault.wipe, self.vault.is_empty)
            # Nothing we show copies to the clipboard, but a technician's keyboard could.
            self.wipes.register("clipboard", lambda: Clipboard.copy(""),
                                lambda: not (Clipboard.paste() or ""))
            # TextInput caches each rendered line for 60 s under a key made of its text.
            self.wipes.register("text render caches", _clear_text_caches, _text_caches_empty)
            sm = root.ids.sm
            step_screen = sm.get_screen("step")
            self.wipes.register("text inputs", step_screen.wipe, step_screen.is_empty)
            home_screen = sm.get_screen("home")
            self.wipes.register("search input", home_screen.wipe, home_screen.is_empty)
            self.wipes.register("help call", self._forget_help_call,
                                lambda: self._help_call_id is None and not self._help_panel_open)
            self.wipes.register("text size", lambda: setattr(self, "text_scale_index", 0),
                                lambda: int(self.text_scale_index) == 0)
            self.wipes.register("speech", self._stop_speaking, lambda: self._speaker is None)
            printer = self.services.printer
            if printer is not None:
                self.wipes.register("print queue", printer.cancel_pending, lambda: printer.pending_count == 0)

        def _forget_help_call(self) -> None:
            if self._help_call_id is not None and self.services.helpcall is not None:
                # The visitor has gone: a conseiller coming now would find nobody.
                self.services.helpcall.cancel(self._help_call_id)
            self._help_call_id = None
            self._help_panel_open = False

        def _on_reset(self, reason: str) -> None:
            report = self.wipes.wipe_all()
            status_path = self.cfg.data_dir / "wipe-status.json"
            # For `kiosk doctor`: holder names and results only, written off the UI thread.
            threading.Thread(target=write_wipe_status, args=(status_path, report, time.time()),
                             name="wipe-status", daemon=True).start()
            self._apply_metrics()
            log.info("reset (%s): wipe %s", reason, "verified" if report.clean else "FAILED")

    return KioskApp


_APP_CLASS = None


def kiosk_app_class():
    global _APP_CLASS
    if _APP_CLASS is None:
        _APP_CLASS = _build_app_class()
    return _APP_CLASS


def run(cfg: Config, pack: ContentPack) -> int:
    import signal

    configure_kivy(cfg)
    app = kiosk_app_class()(cfg, pack)
    from kivy.clock import Clock

    def stop_on_signal(signum, _frame):
        # systemd stops the kiosk with SIGTERM: close services (statistics are flushed,
        # the outbox is on disk) from the UI thread, then leave the event loop.
        log.info("signal %d: stopping", signum)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    app.run()
    return app.exit_status
