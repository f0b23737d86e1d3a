"""The frame around every screen: top bar (home, text size, listen, call a conseiller),
the help-call banner, the screen manager, and the overlays (idle warning, help panel)."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

from kiosk.session import State


class TopBar(BoxLayout):
    pass


class HelpBanner(BoxLayout):
    """Shown only while a help call waits. When hidden it has no height, but its button
    would still stand over the top bar, and a disabled widget swallows touches: a hidden
    banner takes no touch at all."""

    def on_touch_down(self, touch):
        return super().on_touch_down(touch) if self.opacity > 0 else False

    def on_touch_up(self, touch):
        return super().on_touch_up(touch) if self.opacity > 0 else False


class KioskRoot(FloatLayout):
    app = ObjectProperty(None)

    def on_touch_down(self, touch):
        machine = self.app.controller.machine if self.app is not None else None
        if machine is None or machine.state is State.ATTRACT:
            return super().on_touch_down(touch)
        if machine.state is State.IDLE_WARNING:
            # The warning covers the screen: the tap that ends it goes to the warning only.
            # Telling the machine first would take the warning away before the touch is
            # dispatched, and the touch would press whatever lay beneath it.
            super().on_touch_down(touch)
            machine.touch()
            return True
        # Any other touch tells the machine the visitor is still here, before the touched
        # widget acts on it.
        machine.touch()
        return super().on_touch_down(touch)

    def show(self, machine) -> None:
        ids = self.ids
        active = machine.state not in (State.ATTRACT, State.GOODBYE)
        ids.home_button.disabled = not active or machine.state is State.HOME and not machine.visit.category_id
        ids.bar.opacity = 1
        v = machine.visit
        ids.help_banner.opacity = 1 if v.help_number else 0
        ids.help_banner.height = ids.help_banner.minimum_height if v.help_number else 0
        if v.help_number:
            banner = self.app.controller.help_texts().banner
            ids.help_banner_text.text = self.app.t(banner, number=v.help_number)
