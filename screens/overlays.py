"""Overlays drawn above the current screen: the idle warning and the help-call panel.

They cover the whole window and take every touch, so nothing behind them is pressed by
mistake; one big button answers them.
"""

from __future__ import annotations

import math

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ColorProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.reading import help_lines, idle_lines, join, leave_lines
from screens.widgets import running_app


class Overlay(FloatLayout):
    def on_touch_down(self, touch):
        super().on_touch_down(touch)
        return True  # nothing behind an overlay may be touched

    def on_touch_move(self, touch):
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch):
        super().on_touch_up(touch)
        return True


class OverlayButtons(GridLayout):
    """An overlay card's buttons: one column, each its own height; or one row when the card
    is `compact`, all as tall as the tallest label needs."""

    compact = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._own_min_heights: dict[int, float] = {}  # the kv's (« Je suis là » is taller)
        self._trigger_even = Clock.create_trigger(self._even, -1)
        self.bind(compact=self._trigger_even)

    def add_widget(self, widget, *args, **kwargs):
        super().add_widget(widget, *args, **kwargs)
        widget.bind(texture_size=self._trigger_even)

    def _even(self, *_) -> None:
        tallest = max((b.texture_size[1] for b in self.children), default=0) + running_app().gap_px * 2
        for button in self.children:
            own = self._own_min_heights.setdefault(id(button), button.min_height)
            button.min_height = max(own, tallest) if self.compact else own


class OverlayCard(BoxLayout):
    """The box of an overlay's texts and buttons, centred in the window.

    When the card is taller than the window (the help panel at 1× already: 836 px in 800),
    it goes `compact`: nearly the window's width, half the padding and spacing, its buttons
    side by side in one row (overlays.kv). It never scrolls: Kivy's ScrollView holds a touch
    for its scroll timeout and delivers the release 0.2 s later, and « J'ai besoin de plus
    de temps » lost its release (git log 8163282).

    Whether the card is too tall is measured with one column only: once compact, it stays so
    until what decides its height changes (the text size, the language, the window's size);
    then it is measured again with one column. So it never flips back and forth.
    """

    compact = BooleanProperty(False)
    colour = ColorProperty([1, 1, 1, 1])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._measured_for: tuple | None = None  # what the card was last too tall with
        self._room = None  # the overlay whose size is the room (bound once)
        # Next frame, once the layout has settled: a card measured in the middle of a layout
        # (its width still the detached overlay's 100 px) looked too tall and stayed compact.
        self._trigger_fit = Clock.create_trigger(self._fit, 0)
        self.bind(height=self._trigger_fit, parent=self._watch_room)

    def _watch_room(self, _instance, parent) -> None:
        if self._room is not None:
            self._room.unbind(size=self._trigger_fit)
        self._room = parent
        if parent is not None:
            parent.bind(size=self._trigger_fit)
        self._trigger_fit()

    def _what_decides_the_height(self) -> tuple:
        """The text size, the language and the room. Not the texts themselves: the idle
        warning's countdown changes every second. A text that grows makes the card taller,
        which is measured anyway; one that shrinks leaves it compact until the next change."""
        app = running_app()
        return app.body_px, app.language, tuple(self.parent.size) if self.parent is not None else ()

    def _fit(self, *_) -> None:
        if self.get_root_window() is None:
            return  # not shown: its size means nothing yet
        room = self.parent.height
        now = self._what_decides_the_height()
        if self.compact and now != self._measured_for:
            self.compact = False  # measure again with one column (next call)
        elif not self.compact and self.height > room:
            self._measured_for = now
            self.compact = True


class IdleWarning(Overlay):
    def show(self, machine, app) -> None:
        seconds = math.ceil(machine.warning_left_s())
        self.ids.countdown.text = app.t("idle.countdown", count=seconds, seconds=seconds)

    def spoken_text(self) -> str:
        return join(idle_lines(running_app().controller))


class HelpPanel(Overlay):
    def show(self, machine, app) -> None:
        v = machine.visit
        texts = app.controller.help_texts()
        self.ids.title.text = app.t(texts.title)
        self.ids.number.text = app.t("help.number", number=v.help_number) if v.help_number else ""
        self.ids.detail.text = app.t(texts.detail)

    def spoken_text(self) -> str:
        return join(help_lines(running_app().controller))


class ConfirmLeave(Overlay):
    """« Quitter cette démarche ? » before « Accueil » drops what the visitor did."""

    def show(self, machine, app) -> None:
        pass  # its texts are fixed; the machine decides when it is shown

    def spoken_text(self) -> str:
        return join(leave_lines(running_app().controller))
