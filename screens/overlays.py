"""Overlays drawn above the current screen: the idle warning and the help-call panel.

They cover the whole window and take every touch, so nothing behind them is pressed by
mistake; one big button answers them.
"""

from __future__ import annotations

import math

from kivy.uix.floatlayout import FloatLayout

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
