"""The Kivy App: draws the controller's state and forwards taps to it.

This is the only module in kiosk/ that imports Kivy, and it holds no logic and no
visitor state: kiosk/controller.py does. What it does own is what only Kivy can do: the
window and its sizes, the clock that drives timeouts and the watchdog, the widgets
(built by screens/assemble.py), and the exception handler that turns any escaped error
into a reset.

Import order matters: importing a screen opens the window, so the screens are imported
in build(), after configure_kivy() has set what Kivy reads once. The modules imported
at the top (kivy.app, kivy.base, kivy.clock, kivy.properties) do not open it.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import time
from typing import Callable

from kiosk.kivy_env import prepare_kivy_environment

prepare_kivy_environment()  # before the first Kivy import, which reads the environment

from kivy.app import App  # noqa: E402
from kivy.base import ExceptionHandler, ExceptionManager  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.properties import (  # noqa: E402
    BooleanProperty,
    DictProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)

from kiosk import sdnotify, theme  # noqa: E402
from kiosk.config import Config  # noqa: E402
from kiosk.content.model import ContentPack  # noqa: E402
from kiosk.content.search import load_matcher  # noqa: E402
from kiosk.controller import KioskController  # noqa: E402
from kiosk.process import forbid_core_dumps  # noqa: E402
from kiosk.services import Services, default_services  # noqa: E402
from kiosk.session import State  # noqa: E402

log = logging.getLogger(__name__)

TICK_S = 0.25
SCREEN_OF_STATE = {State.ATTRACT: "attract", State.GOODBYE: "attract", State.HOME: "home",
                   State.STEP: "step", State.SUMMARY: "summary"}
__all__ = ["KioskApp", "configure_kivy", "run"]


def configure_kivy(cfg: Config) -> None:
    """Settings Kivy reads once, before the window exists."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config as KivyConfig

    from kiosk.kivy_input import configure_kivy_input

    KivyConfig.set("kivy", "exit_on_escape", "0")
    # Field steps lay out their own keyboard (screens/keyboard.py); a docked one would
    # cover the step's buttons.
    KivyConfig.set("kivy", "keyboard_mode", "system")
    KivyConfig.set("graphics", "width", str(cfg.display.window_width_px))
    KivyConfig.set("graphics", "height", str(cfg.display.window_height_px))
    KivyConfig.set("graphics", "fullscreen", "auto" if cfg.kiosk.fullscreen else "0")
    KivyConfig.set("graphics", "show_cursor", "0" if cfg.kiosk.fullscreen else "1")
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


class _Failsafe(ExceptionHandler):
    """An exception escaping any callback resets the session instead of crashing."""

    def __init__(self, app: KioskApp):
        self.app = app

    def handle_exception(self, inst):
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        self.app.failures.append(inst)
        self.app.controller.failsafe(inst)
        return ExceptionManager.PASS


class _CollectBetweenVisits:
    """Python's full garbage collection, moved off the visitor's taps.

    An automatic full collection walks every object of the process: 0.1 to 0.3 s on the
    kiosk's machine, landing on whichever tap allocated last (bench/ui_latency.py). Once the
    window is built, what exists then is frozen (never scanned again) and full collections
    run only between visits, a second after the goodbye screen appears; young generations
    still collect automatically. shutdown() gives the process back its usual collector.
    """

    DELAY_S = 1.0

    def __init__(self):
        self.thresholds = gc.get_threshold()
        self.active = False
        self.event = None

    def start(self) -> None:
        gc.collect()
        gc.freeze()
        gc.set_threshold(self.thresholds[0], self.thresholds[1], 2**30)  # no automatic full pass
        self.active = True

    def visit_ended(self) -> None:
        if self.active and self.event is None:
            self.event = Clock.schedule_once(self._collect, self.DELAY_S)

    def _collect(self, _dt) -> None:
        self.event = None
        gc.collect()

    def stop(self) -> None:
        if self.event is not None:
            self.event.cancel()
            self.event = None
        if self.active:
            self.active = False
            gc.set_threshold(*self.thresholds)
            gc.unfreeze()


class _CalmFrameRate:
    """Kivy's loop at full rate while someone touches the screen, slow when nobody does.

    Kivy's main loop wakes at `maxfps` (60 a second) whether or not anything changes: 1.5 to
    2 % of a core on an idle kiosk (bench/startup.py --idle). CALM_AFTER_S after the last
    touch or key it wakes CALM_FPS times a second; the first touch brings it back to full
    rate. Timeouts and the countdown run on the controller's monotonic clock (exact); the
    screen is just drawn at most 1/CALM_FPS later, and a worker's report (printer, help
    call) too. The first touch of a calm kiosk waits at most 1/CALM_FPS for its frame.
    """

    CALM_FPS = 10.0
    CALM_AFTER_S = 3.0

    def __init__(self):
        self.full_fps = 0.0
        self.calm = False
        self.last_input = time.monotonic()
        self.event = None
        self.window = None

    def start(self, window) -> None:
        self.full_fps = Clock._max_fps  # Kivy reads `maxfps` once; the clock keeps it here
        self.window = window
        window.bind(on_motion=self.touched, on_key_down=self.touched)
        self.event = Clock.schedule_interval(self._check, 1.0)

    def touched(self, *_args) -> None:
        self.last_input = time.monotonic()
        if self.calm:
            self.calm = False
            Clock._max_fps = self.full_fps

    def _check(self, _dt) -> None:
        if not self.calm and time.monotonic() - self.last_input >= self.CALM_AFTER_S and self.full_fps > 0:
            self.calm = True
            Clock._max_fps = self.CALM_FPS

    def stop(self) -> None:
        if self.event is not None:
            self.event.cancel()
            self.event = None
        if self.window is not None:
            self.window.unbind(on_motion=self.touched, on_key_down=self.touched)
            self.window = None
        self.touched()


def _post(fn: Callable[[], None]) -> None:
    """Hand a worker's report to the UI thread, before the next frame."""
    Clock.schedule_once(lambda _dt: fn(), 0)


class KioskApp(App):
    # Startup's last full collection and READY=1 wait this long after the first frame is
    # presented (on_flip), so that they are off the start's path.
    READY_AFTER_S = 0.5
    # The home page is built this long after the attract screen shows (its own frame
    # first), so the visitor's first touch only switches screens (bench/ui_latency.py).
    HOME_AHEAD_AFTER_S = 0.5
    LAY_OVER_BUDGET_S = 0.004  # of a frame's 16 ms, while nothing else moves
    # Sizes and fonts the kv files read; set from theme.Metrics, never by hand.
    target_px = NumericProperty(60)
    gap_px = NumericProperty(12)
    body_px = NumericProperty(24)
    title_px = NumericProperty(34)
    big_number_px = NumericProperty(72)
    text_scale_index = NumericProperty(0)  # mirrors the visit's, for kv bindings
    font_regular = StringProperty(theme.FONT_REGULAR)
    font_bold = StringProperty(theme.FONT_BOLD)
    colors = DictProperty({k: [*v, 1.0] for k, v in theme.COLOURS.items()})
    # kv's `app.t('…')` re-reads its text when `t` dispatches (a language switch): a
    # property, holding the controller's one Translator.
    t = ObjectProperty(None)
    language = StringProperty("")  # the language shown, a code of kiosk.languages
    rtl = BooleanProperty(False)  # it runs right to left: mirrored rows, text on the right

    def __init__(self, cfg: Config, pack: ContentPack, services: Services | None = None,
                 clock: Callable[[], float] = time.monotonic, **kwargs):
        super().__init__(**kwargs)
        self.cfg = cfg
        self.controller = KioskController(cfg, pack, services if services is not None else default_services(cfg),
                                          post=_post, clock=clock)
        self.controller.on_quit = self._quit
        self.t = self.controller.t
        self.failures: list[BaseException] = []
        self.exit_status = 0
        self.title = "Pas à pas"
        self.widgets = None
        self._exception_handler = _Failsafe(self)
        self._events: list = []
        self._stopped = False
        self._gc = _CollectBetweenVisits()
        self._frame_rate = _CalmFrameRate()
        self._home_ahead = None

    @property
    def machine(self):
        return self.controller.machine

    @property
    def root_widget(self):
        return self.widgets.root if self.widgets is not None else None

    # ----- life cycle ----------------------------------------------------------------
    def build(self):
        from kivy.core.window import Window

        from screens.assemble import build_widgets

        self._apply_metrics()
        Window.clearcolor = (1, 1, 1, 1)
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard,
                    size=lambda *_: self._apply_metrics())
        ExceptionManager.add_handler(self._exception_handler)
        self._frame_rate.start(Window)
        self._apply_language()
        self.widgets = build_widgets(self)  # the attract screen; the rest in _ready
        self.controller.add_listener(self._render)
        self.controller.start()
        self._events.append(Clock.schedule_interval(self._tick, TICK_S))
        period = sdnotify.watchdog_period_s()
        if period:
            # Fed from the UI thread's clock: a frozen UI stops feeding it and is restarted.
            self._events.append(Clock.schedule_interval(lambda _dt: sdnotify.notify("WATCHDOG=1"), period))
        Window.bind(on_flip=self._first_frame_presented)
        self._events.append(Clock.schedule_once(lambda _dt: self._render(), 0))
        return self.widgets.root

    def _first_frame_presented(self, window) -> None:
        """A timer set in build() counted from Kivy's clock, which starts at import: it was
        already due on the first frame, and the collection (0.06 s) delayed the second."""
        window.unbind(on_flip=self._first_frame_presented)
        if not self._stopped:
            self._events.append(Clock.schedule_once(self._ready, self.READY_AFTER_S))

    def _build_rest(self) -> None:
        """The screens and overlays the attract screen does not show (0.1-0.2 s here): built
        while it waits for a visitor, or on a first touch that comes sooner."""
        from screens.assemble import build_rest, ui_wipes

        if build_rest(self.widgets):
            for name, wipe, is_empty in ui_wipes(self.widgets):
                self.controller.register_wipe(name, wipe, is_empty)
            log.info("screens built")

    def _ready(self, _dt) -> None:
        self._build_rest()
        load_matcher()  # rapidfuzz (~12 ms): after the first frame, before the first keystroke
        self._events.append(Clock.schedule_interval(self._lay_over_translations, 0))
        self._gc.start()
        sdnotify.notify("READY=1")
        log.info("kiosk ready: %d procedures, printer %s", len(self.controller.pack.procedures),
                 self.cfg.printer.connection)

    def _lay_over_translations(self, _dt) -> bool | None:
        """The start checked the translations but laid none over its French procedure (0.1 s
        of the start): they are laid here, a few milliseconds a frame, so that neither the
        start nor a visitor's first tap in a language pays for them."""
        deadline = time.perf_counter() + self.LAY_OVER_BUDGET_S
        pack = self.controller.pack
        while time.perf_counter() < deadline:
            if not pack.lay_over_next():
                log.info("translations laid over their procedures")
                return False  # unschedules this interval
        return None

    def on_stop(self):
        # Kivy 2.3.1 dispatches on_stop twice; shutdown() dispatches it too.
        if not self._stopped:
            self.shutdown()

    def shutdown(self) -> None:
        """Stop timers and services and take the widgets off the window (tests call this)."""
        if self._stopped:
            return
        self._stopped = True
        from kivy.core.window import Window

        for event in (*self._events, self._home_ahead):
            if event is not None:
                event.cancel()
        self._gc.stop()
        self._frame_rate.stop()
        if self._exception_handler in ExceptionManager.handlers:
            ExceptionManager.remove_handler(self._exception_handler)
        Window.unbind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard,
                      on_flip=self._first_frame_presented)
        self.controller.close()
        if self.widgets is not None:
            w = self.widgets
            for widget in (w.root, w.idle_overlay, w.help_overlay, w.leave_overlay):
                if widget is not None and widget.parent is not None:
                    widget.parent.remove_widget(widget)
        # kv's `app` caches the running app until on_stop: without this, a next app in
        # the same process would have its buttons act on this one.
        self.dispatch("on_stop")

    def _quit(self, exit_status: int) -> None:
        self.exit_status = exit_status
        self.stop()

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
        # Millimetres are taken from the configured screen: the window is the screen
        # on a kiosk, and in a smaller development window things scale with it.
        m = theme.Metrics.for_screen(d.window_width_px, d.window_height_px, d.diagonal_in,
                                     self.controller.text_scale)
        self.metrics = m  # the on-screen keyboard sizes its keys in millimetres
        self.text_scale_index = self.controller.machine.visit.text_scale_index
        self.target_px, self.gap_px = m.target_px, m.gap_px
        self.body_px, self.title_px, self.big_number_px = m.body_px, m.title_px, m.big_number_px

    def _apply_language(self) -> None:
        """Every screen in the visit's language at once: fonts, direction, kv texts, then
        the texts the screens set (they rebuild: their `_shown` keys hold the language)."""
        from screens import rtl_text

        lang = self.controller.language
        right_to_left = lang.direction == "rtl"
        rtl_text.use(right_to_left)
        regular, bold = lang.screen_fonts
        self.font_regular, self.font_bold = theme.font_path(regular), theme.font_path(bold)
        self.rtl = right_to_left
        self.language = lang.code
        self.property("t").dispatch(self)
        if self.widgets is not None:
            from screens.assemble import redraw_for_direction
            redraw_for_direction(self.widgets)

    # ----- drawing the state -----------------------------------------------------------
    def _render(self) -> None:
        if self._stopped or self.widgets is None:
            return
        machine, w = self.controller.machine, self.widgets
        if machine.state is not State.ATTRACT:
            self._build_rest()  # a visitor who came before _ready
        if machine.visit.text_scale_index != self.text_scale_index:
            self._apply_metrics()
        if self.controller.language.code != self.language:
            self._apply_language()
        sm = w.root.ids.sm
        warning = machine.state is State.IDLE_WARNING
        name = sm.current if warning else SCREEN_OF_STATE[machine.state]
        if machine.state is State.GOODBYE:
            self._gc.visit_ended()
        if machine.state is State.ATTRACT and self._home_ahead is None:
            self._home_ahead = Clock.schedule_once(self._build_home_ahead, self.HOME_AHEAD_AFTER_S)
        if sm.current != name:
            sm.current = name
        if not warning:
            sm.get_screen(name).show(machine)
        w.root.show(machine)
        v = machine.visit
        if not w.complete:
            return  # the attract screen, before _ready: no overlay can be open
        self._set_overlay(w.leave_overlay, v.leave_asked and not warning)
        self._set_overlay(w.help_overlay, v.help_panel_open and v.help_number > 0)
        self._set_overlay(w.idle_overlay, warning)  # last: on top of everything
        if warning:
            w.idle_overlay.show(machine, self)
        if w.help_overlay.parent is not None:
            w.help_overlay.show(machine, self)

    def _build_home_ahead(self, _dt) -> None:
        """The home page of the next visit, drawn off screen while the attract screen waits:
        nothing in it is a visitor's (the visit was wiped before the attract screen)."""
        self._home_ahead = None
        if self._stopped or self.controller.machine.state is not State.ATTRACT:
            return
        self._build_rest()
        sm = self.widgets.root.ids.sm
        home = sm.get_screen("home")
        # At the size it will be shown at, so its labels are laid out and drawn once.
        home.size, home.pos = sm.size, sm.pos
        home.show(self.controller.machine)

    def _set_overlay(self, overlay, visible: bool) -> None:
        if visible and overlay.parent is None:
            self.widgets.root.add_widget(overlay)
        elif not visible and overlay.parent is not None:
            overlay.parent.remove_widget(overlay)

    def _tick(self, _dt) -> None:
        self.controller.tick()
        if self.controller.machine.state is State.IDLE_WARNING:
            self.widgets.idle_overlay.show(self.controller.machine, self)

    def read_aloud(self) -> None:
        """« Écouter »: say what the visitor sees, the overlay on top if one is open. The
        text comes from the machine's state (kiosk/reading.py), in the order shown."""
        self.controller.repeat()


def run(cfg: Config, pack: ContentPack) -> int:
    protection = forbid_core_dumps()  # a core dump would hold what visitors typed
    if protection.complete:
        log.info("core dumps forbidden")
    else:
        log.warning("core dumps NOT fully forbidden: %s", "; ".join(protection.problems))
    configure_kivy(cfg)
    app = KioskApp(cfg, pack)

    def stop_on_signal(signum, _frame):
        # systemd stops the kiosk with SIGTERM: close services (statistics are flushed,
        # the outbox is on disk) from the UI thread, then leave the event loop.
        log.info("signal %d: stopping", signum)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    app.run()
    return app.exit_status
