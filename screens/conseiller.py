"""The conseiller mode: a hidden corner, a PIN pad, then waiting calls, printer, today's
figures, restart, and (technician PIN) leaving to the desktop.

It is an overlay above whatever the visitor sees, so the visitor's session is untouched
underneath. It holds no state and no rules of its own: who is signed in, what is typed,
what the pad says, the attempt rules and the closing after a minute without a touch are
kiosk.conseiller.ConseillerMode's (Kivy-free, tested without a window); the PIN gate is
kiosk.pin.PinGate, and what the menu shows and does comes from a ConseillerSources the app
fills from its services. This screen draws the machine whenever it changes and forwards
taps to it. The PIN check runs in a worker thread; its result comes back to the UI thread
through Clock.schedule_once.

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
from typing import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.conseiller import CallLine, ConseillerMode, ConseillerSources, ModeState
from kiosk.pin import PIN_MAX_DIGITS
from kiosk.receipts import day_in_full
from screens import KV_DIR
from screens.overlays import Overlay
from screens.widgets import Body, KButton

__all__ = ["CallLine", "ConseillerCorner", "ConseillerMenu", "ConseillerPanel", "ConseillerPinPad",
           "ConseillerSources", "PIN_MAX_DIGITS"]

log = logging.getLogger(__name__)


def _on_ui_thread(fn: Callable[[], None]) -> None:
    Clock.schedule_once(lambda _dt: fn(), 0)


def _load_kv() -> None:
    path = str(KV_DIR / "conseiller.kv")
    if path not in Builder.files:
        Builder.load_file(path)


class ConseillerCorner(Widget):
    """An invisible square in the top-left corner, over the top bar's padding where no
    button is: holding it for hold_s opens the PIN pad, and so do taps_to_open short taps
    within taps_window_s, for a conseiller who cannot hold a finger still (EN 301 549 5.9).
    It takes only touches that start inside it, so no visitor button is ever pressed by it."""

    hold_s = NumericProperty(3.0)
    move_tolerance_px = NumericProperty(20)
    taps_to_open = NumericProperty(5)
    taps_window_s = NumericProperty(4.0)

    __events__ = ("on_long_press",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pending = None
        self._start = None
        self._taps: list[float] = []  # monotonic times of the recent short taps

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
            if self._pending is not None:  # released before the hold fired: a tap
                self._cancel()
                self._count_tap()
            return True
        return False

    def _count_tap(self) -> None:
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t <= self.taps_window_s] + [now]
        if len(self._taps) >= self.taps_to_open:
            self._taps = []
            log.info("conseiller corner: %d taps, PIN pad opened", self.taps_to_open)
            self.dispatch("on_long_press")

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _fire(self, _dt) -> None:
        self._pending = None
        self._taps = []
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
                 clock: Callable[[], float] = time.monotonic, mode: ConseillerMode | None = None, **kwargs):
        """mode: the machine to draw (default: one made here over gate and clock)."""
        _load_kv()
        # Before super().__init__: a kv rule or kwarg setting idle_close_s reaches on_idle_close_s.
        self.mode = mode if mode is not None else ConseillerMode(gate, clock=clock, post=_on_ui_thread)
        super().__init__(**kwargs)
        self.mode.idle_close_s = self.idle_close_s
        self.gate = gate
        self.sources = sources or ConseillerSources()
        self._idle_event = None
        self.pad = ConseillerPinPad()
        self.menu = ConseillerMenu(panel=self)
        keys = self.pad.ids.digit_keys
        for label in "123456789":
            keys.add_widget(self._key(label))
        keys.add_widget(KButton(label=self.t("conseiller.pin_erase"), on_release=lambda *_: self.erase()))
        keys.add_widget(self._key("0"))
        keys.add_widget(KButton(label=self.t("conseiller.pin_validate"), role="primary",
                                on_release=lambda *_: self.submit()))
        self.mode.add_listener(self._draw)

    # ----- what the machine says, for the app and tests -----------------------------------
    @property
    def role(self) -> str | None:
        """"conseiller" | "technician" once the PIN passed, else None."""
        return self.mode.role

    @property
    def _checking(self) -> bool:
        return self.mode.state is ModeState.CHECKING

    def on_idle_close_s(self, _panel, value) -> None:
        self.mode.idle_close_s = value

    # ----- helpers ----------------------------------------------------------------------
    @staticmethod
    def t(key: str, **params) -> str:
        return App.get_running_app().t(key, **params)

    def _key(self, digit: str) -> KButton:
        return KButton(label=digit, on_release=lambda *_: self.press_digit(digit))

    def on_touch_down(self, touch):
        self.mode.touched()
        return super().on_touch_down(touch)

    def _show_in_body(self, widget) -> None:
        body = self.ids.body
        if body.children != [widget]:
            body.clear_widgets()
            body.add_widget(widget)

    def _draw(self, mode: ConseillerMode) -> None:
        if mode.state is ModeState.LOCKED:
            self._detach()
        elif mode.signed_in:
            self.show_menu()
        else:
            self._show_pad()

    # ----- opening and closing ----------------------------------------------------------
    def open_in(self, root) -> None:
        if self.parent is not None:
            return
        self.mode.open()
        root.add_widget(self)
        self._idle_event = Clock.schedule_interval(lambda _dt: self.mode.tick(), 1.0)

    def close(self) -> None:
        self.mode.lock()
        self._detach()

    def _detach(self) -> None:
        if self._idle_event is not None:
            self._idle_event.cancel()
            self._idle_event = None
        if self.parent is not None:
            self.parent.remove_widget(self)
            self.sources.on_close()

    # ----- PIN pad ----------------------------------------------------------------------
    def _show_pad(self) -> None:
        self._show_in_body(self.pad)
        mode, ids = self.mode, self.pad.ids
        self.pad.dots = "•  " * mode.digit_count
        notice = mode.notice
        ids.message.text = self.t(notice.key, **notice.params) if notice.key else ""
        ids.message.tone = "error" if notice.error else "normal"
        ids.digit_keys.disabled = not mode.keys_enabled

    def press_digit(self, digit: str) -> None:
        self.mode.press_digit(digit)

    def erase(self) -> None:
        self.mode.erase()

    def submit(self) -> None:
        self.mode.submit()

    # ----- menu -------------------------------------------------------------------------
    def show_menu(self) -> None:
        if not self.mode.signed_in:
            return
        self._show_in_body(self.menu)
        ids = self.menu.ids
        self._fill_calls(ids.calls)
        level, text = self.sources.printer_status()
        ids.printer_status.text = text or self.t("conseiller.printer_unknown")
        ids.printer_status.tone = "error" if level == "FAIL" else "normal"
        ids.test_print_button.disabled = self.sources.test_print is None
        self._fill_today(ids.today)
        self._fill_content_review(ids.content_review)
        ids.leave_button.hidden = self.role != "technician"
        confirming = self.mode.confirming
        ids.confirm_box.opacity = 1 if confirming else 0
        ids.confirm_box.disabled = not confirming
        ids.confirm_box.height = ids.confirm_box.minimum_height if confirming else 0
        if confirming:
            ids.confirm_text.text = self.t("conseiller.restart_confirm" if confirming == "restart"
                                           else "conseiller.leave_confirm")
            # The question appears above the buttons; bring it and its answers into view.
            Clock.schedule_once(lambda _dt: ids.scroller.scroll_to(ids.confirm_box, animate=False), 0)

    def _fill_calls(self, box) -> None:
        box.clear_widgets()
        if self.sources.help_reaches_nobody():
            box.add_widget(Body(text=self.t("conseiller.calls_reach_nobody"), tone="error"))
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

    def _fill_content_review(self, box, shown_max: int = 8) -> None:
        """The pack's date and the procedures whose facts are due for a check (issue 17)."""
        box.clear_widgets()
        review = self.sources.content_review()
        box.add_widget(Body(text=self.t("conseiller.content_date", date=day_in_full(review.pack_date),
                                        count=review.total) if review.pack_date
                            else self.t("conseiller.content_undated", count=review.total)))
        if not review.due:
            box.add_widget(Body(text=self.t("conseiller.content_due_none")))
            return
        box.add_widget(Body(text=self.t("conseiller.content_due", count=len(review.due)), tone="error"))
        for title, checked in review.due[:shown_max]:
            box.add_widget(Body(text=self.t("conseiller.content_due_line", title=title, date=day_in_full(checked))
                                if checked else self.t("conseiller.content_due_never", title=title)))
        if len(review.due) > shown_max:
            box.add_widget(Body(text=self.t("conseiller.content_due_more", count=len(review.due) - shown_max)))

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
        if self.parent is None or not self.mode.signed_in:
            return
        self.show_menu()
        ids = self.menu.ids
        ids.printer_status.text = self.t("conseiller.printer_test_done" if ok else "conseiller.printer_test_failed")
        ids.printer_status.tone = "normal" if ok else "error"

    def ask(self, action: str) -> None:
        self.mode.ask(action)

    def answer(self, yes: bool) -> None:
        action = self.mode.answer(yes)  # a yes locks the mode, which closes this panel
        if action == "restart":
            self.sources.restart()
        elif action == "leave":
            self.sources.leave_to_desktop()
