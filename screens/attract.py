"""The attract screen: invites a touch; after a reset, confirms that everything was erased."""

from kivy.uix.screenmanager import Screen

from kiosk.session import State


class AttractScreen(Screen):
    def show(self, machine) -> None:
        app = self.manager.app
        picker = self.ids.languages
        picker.on_choose = self._choose_language
        picker.show(app.language, app.rtl)
        goodbye = machine.state is State.GOODBYE
        self.ids.message.text = app.t("attract.erased") if goodbye else app.t("attract.welcome")
        self.ids.icon.name = "check-circle-outline" if goodbye else "hand-pointing-up"

    def spoken_text(self) -> str:
        return self.manager.app.controller.screen_text()  # kiosk/reading.py

    def _choose_language(self, code: str) -> None:
        """A language chosen here starts the visit in it."""
        controller = self.manager.app.controller
        controller.start_session()
        controller.set_language(code)

    def on_touch_down(self, touch):
        if self.ids.languages.collide_point(*touch.pos):
            return super().on_touch_down(touch)  # the language's button answers it
        if self.collide_point(*touch.pos):
            self.manager.app.controller.start_session()
            return True
        return super().on_touch_down(touch)
