"""The conseiller mode: a hidden corner, a PIN pad, then waiting calls, printer, today's
figures, restart, and (technician PIN) leaving to the desktop.

It is an overlay above whatever the visitor sees, so the visitor's session is untouched
underneath. It holds no logic of its own: the PIN gate is kiosk.pin.PinGate, and what the
menu shows and does comes from a ConseillerSources the app fills from its services.
The PIN check (two scrypt runs, ~65 ms) runs in a worker thread; every result comes back
to the UI thread through Clock.schedule_once. The typed PIN is never logged and is
dropped as soon as it is checked. The panel closes itself after a minute without a touch,
so a forgotten menu is not left to the next visitor.

Wiring (in the app's build):
    corner = ConseillerCorner(); root.add_widget(corner)
    panel = ConseillerPanel(gate=PinGate(...), sources=ConseillerSources(...))
    corner.bind(on_long_press=lambda *_: panel.open_in(root))
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens import KV_DIR
from screens.overlays import Overlay
from screens.widgets import Body, KButton

log = logging.getLogger(__name__)

PIN_MAX_DIGITS = 12


@dataclass(frozen=True)
class CallLine:
    """One waiting help call as the conseiller sees it (never anything the visitor typed)."""

    call_id: str
    number: int
    procedure: str      # procedure title, or "" on the home screen
    step: str           # step number or title, or ""
    waiting_s: float
    acknowledged: bool = False


@dataclass
class ConseillerSources:
    """What the menu shows and does; the app fills it from its services.

    Callables that may block (test_print) are called from a worker thread and must call
    `done` (from any thread) when finished; the others must be quick."""

    pending_calls: Callable[[], list[CallLine]] = list
    acknowledge: Callable[[str], None] = lambda call_id: None
    printer_status: Callable[[], tuple[str, str]] = lambda: ("", "")  # (level, text for the conseiller)
    test_print: Callable[[Callable[[bool], None]], None] | None = None
    today: Callable[[], dict] = dict                                   # kiosk.stats.Stats.today
    restart: Callable[[], None] = lambda: None
    leave_to_desktop: Callable[[], None] = lambda: None
    on_close: Callable[[], None] = lambda: None


def _load_kv() -> None:
    path = str(KV_DIR / "conseiller.kv")
    if path not in Builder.files:
        Builder.load_file(path)


class ConseillerCorner(Widget):
    """An invisible square in the top-left corner, over the top bar's padding where no
    button is: holding it for hold_s opens the PIN pad. It takes only touches that start
    inside it, so no visitor button is ever pressed by it."""

    hold_s = NumericProperty(3.0)
    move_tolerance_px = NumericProperty(20)

    __events__ = ("on_long_press",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pending = None
        self._start = None

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self._start = touch.pos
        self._cancel()
        self._pending = Clock.schedule_once(self._fire, self.hold_s)
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is self and self._start is not None:
            dx, dy = touch.x - self._start[0], touch.y - self._start[1]
            if math.hypot(dx, dy) > self.move_tolerance_px:
                self._cancel()
            return True
        return False

    def on_touch_up(self, touch):
        if touch.grab_current is self:
            touch.ungrab(self)
            self._cancel()
            return True
        return False

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _fire(self, _dt) -> None:
        self._pending = None
        self.dispatch("on_long_press")

    def on_long_press(self) -> None:
        pass


class ConseillerPinPad(BoxLayout):
    dots = StringProperty("")


class ConseillerMenu(BoxLayout):
    panel = ObjectProperty(None, allownone=True)  # the ConseillerPanel its buttons act on


class ConseillerPanel(Overlay):
    idle_close_s = NumericProperty(60)

    def __init__(self, gate, sources: ConseillerSources | None = None,
                 clock: Callable[[], float] = time.monotonic, **kwargs):
        _load_kv()
        super().__init__(**kwargs)
        self.gate = gate
        self.sources = sources or ConseillerSources()
        self.role: str | None = None     # "conseiller" | "technician" once the PIN passed
        self._clock = clock
        self._pin = ""
        self._checking = False
        self._last_touch = clock()
        self._idle_event = None
        self._confirming: str | None = None
        self.pad = ConseillerPinPad()
        self.menu = ConseillerMenu(panel=self)
        for label in "123456789":
            self.pad.ids.digit_keys.add_widget(self._key(label))
        self.pad.ids.digit_keys.add_widget(KButton(label=self.t("conseiller.pin_erase"), on_release=lambda *_: self.erase()))
        self.pad.ids.digit_keys.add_widget(self._key("0"))
        self.pad.ids.digit_keys.add_widget(KButton(label=self.t("conseiller.pin_validate"), role="primary",
                                             on_release=lambda *_: self.submit()))

    # ----- helpers ----------------------------------------------------------------------
    @staticmethod
    def t(key: str, **params) -> str:
        return App.get_running_app().t(key, **params)

    def _key(self, digit: str) -> KButton:
        return KButton(label=digit, on_release=lambda *_: self.press_digit(digit))

    def on_touch_down(self, touch):
        self._last_touch = self._clock()
        return super().on_touch_down(touch)

    # ----- opening and closing ----------------------------------------------------------
    def open_in(self, root) -> None:
        if self.parent is not None:
            return
        self.role = None
        self._pin = ""
        self._confirming = None
        self._last_touch = self._clock()
        self._show_pad(message="")
        root.add_widget(self)
        self._idle_event = Clock.schedule_interval(self._check_idle, 1.0)
        log.info("conseiller PIN pad opened")

    def close(self) -> None:
        self._pin = ""
        self.role = None
        if self._idle_event is not None:
            self._idle_event.cancel()
            self._idle_event = None
        if self.parent is not None:
            self.parent.remove_widget(self)
            log.info("conseiller mode closed")
            self.sources.on_close()

    def _check_idle(self, _dt) -> None:
        if self._clock() - self._last_touch >= self.idle_close_s:
            log.info("conseiller mode closed after %.0f s without a touch", self.idle_close_s)
            self.close()

    # ----- PIN pad ----------------------------------------------------------------------
    def _show_pad(self, message: str, error: bool = True) -> None:
        body = self.ids.body
        body.clear_widgets()
        body.add_widget(self.pad)
        self.pad.dots = "•  " * len(self._pin)
        self.pad.ids.message.text = message
        self.pad.ids.message.tone = "error" if error else "normal"
        locked_s = self.gate.locked_for_s()
        self.pad.ids.digit_keys.disabled = self._checking or locked_s > 0
        if locked_s > 0:
            self.pad.ids.message.text = self.t("conseiller.pin_locked", minutes=math.ceil(locked_s / 60))

    def press_digit(self, digit: str) -> None:
        if self._checking or len(self._pin) >= PIN_MAX_DIGITS:
            return
        self._pin += digit
        self.pad.dots = "•  " * len(self._pin)

    def erase(self) -> None:
        self._pin = self._pin[:-1]
        self.pad.dots = "•  " * len(self._pin)

    def submit(self) -> None:
        if self._checking or not self._pin:
            return
        pin, self._pin = self._pin, ""
        self._checking = True
        self._show_pad(self.t("conseiller.pin_checking"), error=False)

        def check() -> None:  # worker thread: scrypt must not freeze a frame
            try:
                outcome = self.gate.try_pin(pin)
            except Exception as e:  # a broken gate must not leave the pad stuck
                log.error("PIN check failed: %s", type(e).__name__)
                outcome = "wrong"
            Clock.schedule_once(lambda _dt: self._pin_checked(outcome), 0)

        threading.Thread(target=check, name="pin-check", daemon=True).start()

    def _pin_checked(self, outcome: str) -> None:
        self._checking = False
        if self.parent is None:
            return  # closed meanwhile
        if outcome in ("conseiller", "technician"):
            self.role = outcome
            self.show_menu()
        elif outcome == "locked":
            self._show_pad("")
        else:
            left = self.gate.attempts_left()
            if self.gate.locked_for_s() > 0:
                self._show_pad("")
            elif left <= 2:
                self._show_pad(self.t("conseiller.pin_wrong_left", attempts=left))
            else:
                self._show_pad(self.t("conseiller.pin_wrong"))

    # ----- menu -------------------------------------------------------------------------
    def show_menu(self) -> None:
        if self.role is None:
            return
        body = self.ids.body
        body.clear_widgets()
        body.add_widget(self.menu)
        ids = self.menu.ids
        self._fill_calls(ids.calls)
        level, text = self.sources.printer_status()
        ids.printer_status.text = text or self.t("conseiller.printer_unknown")
        ids.printer_status.tone = "error" if level == "FAIL" else "normal"
        ids.test_print_button.disabled = self.sources.test_print is None
        self._fill_today(ids.today)
        ids.leave_button.hidden = self.role != "technician"
        ids.confirm_box.opacity = 1 if self._confirming else 0
        ids.confirm_box.disabled = not self._confirming
        ids.confirm_box.height = ids.confirm_box.minimum_height if self._confirming else 0
        if self._confirming:
            ids.confirm_text.text = self.t("conseiller.restart_confirm" if self._confirming == "restart"
                                           else "conseiller.leave_confirm")
            # The question appears above the buttons; bring it and its answers into view.
            Clock.schedule_once(lambda _dt: ids.scroller.scroll_to(ids.confirm_box, animate=False), 0)

    def _fill_calls(self, box) -> None:
        box.clear_widgets()
        calls = self.sources.pending_calls()
        if not calls:
            box.add_widget(Body(text=self.t("conseiller.calls_none")))
            return
        app = App.get_running_app()
        for call in calls:
            row = BoxLayout(size_hint_y=None, spacing=app.gap_px)
            text = self.t("conseiller.call_line", number=call.number, procedure=call.procedure or "—",
                          step=call.step or "—", minutes=max(0, round(call.waiting_s / 60)))
            row.add_widget(Body(text=text, size_hint_x=0.65))
            button = KButton(label=self.t("conseiller.call_acknowledged" if call.acknowledged
                                          else "conseiller.call_acknowledge"),
                             size_hint_x=0.35, disabled=call.acknowledged, role="primary")
            button.bind(on_release=lambda _b, call_id=call.call_id: self.acknowledge(call_id))
            row.height = app.target_px
            row.add_widget(button)
            box.add_widget(row)

    def _fill_today(self, box) -> None:
        box.clear_widgets()
        figures = self.sources.today() or {}
        for key in ("sessions", "procedures_started", "procedures_finished", "procedures_abandoned",
                    "help_calls", "prints", "print_failures"):
            if key in figures:
                box.add_widget(Body(text=self.t(f"conseiller.today_{key}", count=int(figures[key]))))
        if figures.get("mean_session_s"):
            box.add_widget(Body(text=self.t("conseiller.today_mean_session",
                                            minutes=max(1, round(figures["mean_session_s"] / 60)))))

    def acknowledge(self, call_id: str) -> None:
        self.sources.acknowledge(call_id)
        self.show_menu()

    def test_print(self) -> None:
        start = self.sources.test_print
        if start is None:
            return
        ids = self.menu.ids
        ids.test_print_button.disabled = True
        ids.printer_status.text = self.t("conseiller.printer_testing")

        def done(ok: bool) -> None:  # any thread
            Clock.schedule_once(lambda _dt: self._test_printed(ok), 0)

        threading.Thread(target=lambda: start(done), name="test-print", daemon=True).start()

    def _test_printed(self, ok: bool) -> None:
        if self.parent is None or self.role is None:
            return
        self.show_menu()
        ids = self.menu.ids
        ids.printer_status.text = self.t("conseiller.printer_test_done" if ok else "conseiller.printer_test_failed")
        ids.printer_status.tone = "normal" if ok else "error"

    def ask(self, action: str) -> None:
        if action == "leave" and self.role != "technician":
            return
        self._confirming = action
        self.show_menu()

    def answer(self, yes: bool) -> None:
        action, self._confirming = self._confirming, None
        if not yes or action is None:
            self.show_menu()
            return
        log.info("conseiller mode: %s (%s)", action, self.role)
        self.close()
        if action == "restart":
            self.sources.restart()
        elif action == "leave":
            self.sources.leave_to_desktop()
