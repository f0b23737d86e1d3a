"""The language buttons of the attract and home screens: each language in its own name
and script (« Français », « العربية », …), big enough to hit, the current one marked."""

from __future__ import annotations

from typing import Callable

from kivy.app import App
from kivy.core.text import Label as CoreLabel
from kivy.uix.gridlayout import GridLayout

from kiosk.config import ASSETS_DIR
from kiosk.languages import LANGUAGES
from screens.widgets import KButton

FONTS_DIR = ASSETS_DIR / "fonts"


class LanguageButton(KButton):
    """One language's name, in its own font and direction whatever the screen's language."""

    def __init__(self, language, **kwargs):
        self.code = language.code
        self.own_rtl = language.direction == "rtl"
        kwargs.setdefault("own_font", str(FONTS_DIR / language.screen_fonts[1]))
        super().__init__(label=language.name, role="choice", **kwargs)


class LanguagePicker(GridLayout):
    """Six buttons in one row; two rows of three, or three of two, when a row would not fit them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.on_choose: Callable[[str], None] | None = None
        self.buttons = [LanguageButton(lang, on_release=self._chosen) for lang in LANGUAGES]
        for button in self.buttons:
            self.add_widget(button)
        self.bind(minimum_height=self.setter("height"), width=self._arrange, spacing=self._arrange)
        for button in self.buttons:  # a new text size changes the names' widths
            button.bind(font_size=self._arrange)

    def _chosen(self, button) -> None:
        if self.on_choose is not None:
            self.on_choose(button.code)

    def _arrange(self, *_):
        # The widest name on one line, plus the button's text margins (widgets.kv: gap_px on
        # each side) and the gaps between buttons.
        widest = max(CoreLabel(text=b.label, font_name=b.font_name, font_size=b.font_size).get_extents(b.label)[0]
                     for b in self.buttons)
        app = App.get_running_app()
        margins = 2 * (app.gap_px if app is not None else 0) + 2  # +2: rounding, never a cut
        gap = self.spacing[0] if self.spacing else 0
        # Two columns in the 512 px guide column beside the site, where three cut the names
        # in two (« Franç/ais »); one when not even two fit (the largest size there).
        self.cols = next((cols for cols in (6, 3, 2) if self.width >= (widest + margins) * cols + gap * (cols - 1)), 1)

    def show(self, code: str, right_to_left: bool) -> None:
        for button in self.buttons:
            button.selected = button.code == code
        self.orientation = "rl-tb" if right_to_left else "lr-tb"
