"""Widgets every screen uses: buttons sized in millimetres, wrapping text, icons, QR codes."""

from __future__ import annotations

import json

from kivy.app import App
from kivy.graphics.texture import Texture
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.button import Button
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.utils import escape_markup

from kiosk.config import ASSETS_DIR
from kiosk.theme import COLOURS

ICON_FONT = str(ASSETS_DIR / "fonts" / "materialdesignicons-webfont.ttf")
_CODEPOINTS: dict[str, int] | None = None


def icon_char(name: str) -> str:
    global _CODEPOINTS
    if _CODEPOINTS is None:
        with (ASSETS_DIR / "fonts" / "materialdesignicons-codepoints.json").open() as f:
            _CODEPOINTS = json.load(f)
    return chr(_CODEPOINTS.get(name, _CODEPOINTS["help-circle-outline"]))


def button_markup(icon: str, label: str, detail: str, icon_px: int, regular_font: str) -> str:
    """Markup for an optional icon glyph, the label, and a detail line in regular weight."""
    text = escape_markup(label)
    if icon:
        text = f"[font={ICON_FONT}][size={icon_px}]{icon_char(icon)}[/size][/font]  {text}"
    if detail:
        text += f"\n[font={regular_font}]{escape_markup(detail)}[/font]"
    return text


def rgba(name: str, alpha: float = 1.0) -> list[float]:
    return [*COLOURS[name], alpha]


class FreshTexture:
    """For Labels: text that changes is rendered into a new texture, never into the one shown.

    Kivy reuses a label's texture when the new text has the same size and uploads into it.
    On Mesa's software renderer that upload waits for the renderer to stop reading the
    texture: 0.1 to 0.6 s per label, several per tap, where a render into a new texture
    takes about 0.1 ms (docs/FIELD_NOTES.md; tests/screens/test_widgets_render.py).
    """

    def texture_update(self, *largs):
        if self._label is not None:
            self._label.texture = None
        super().texture_update(*largs)


class KButton(FreshTexture, Button):
    """A large flat button: at least the target size, text wraps, optional icon.

    Its text is rendered once, in white, and tinted by the canvas (`text_tint`, from
    `text_color` or `disabled_text_color`): greying it out or changing its colour is a
    property change, not a new render of the text (see FreshTexture for why that matters).
    """

    role = OptionProperty("secondary", options=["primary", "secondary", "help", "choice"])
    icon = StringProperty("")
    label = StringProperty("")
    detail = StringProperty("")
    selected = BooleanProperty(False)
    hidden = BooleanProperty(False)  # kept in its place but not shown nor touchable
    min_height = NumericProperty(0)
    text_color = ColorProperty([0, 0, 0, 1])
    disabled_text_color = ColorProperty([0, 0, 0, 1])
    text_tint = ColorProperty([0, 0, 0, 1])  # what the canvas draws the white text with

    def on_touch_down(self, touch):
        return False if self.hidden else super().on_touch_down(touch)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.markup = True
        self.bind(icon=self._render, label=self._render, detail=self._render, font_size=self._render)
        self._render()

    def _trigger_texture_update(self, name=None, source=None, value=None):
        if name == "disabled":
            return  # the text is white either way; text_tint follows `disabled`
        super()._trigger_texture_update(name, source, value)

    def _render(self, *_):
        app = App.get_running_app()
        regular = app.font_regular if app is not None else ""
        self.text = button_markup(self.icon, self.label, self.detail, int(self.font_size * 1.3), regular)


class KScrollView(ScrollView):
    """ScrollView without Kivy 2.3's binding leak.

    update_from_scroll() binds bar_color on every call, and unbinds it once, half a second
    after the last call: each frame of a scroll, and each layout of new content, left one
    more observer behind. bench/soak.py found it as steady growth over thousands of
    sessions; a kiosk runs for weeks.
    """

    def __init__(self, **kwargs):
        # The bar is the cue that the text or list goes on below: always shown while the
        # content overflows, in the border colour (about 9:1 on white; Kivy's idle bar is
        # 1.1:1), never faded out after a scroll.
        kwargs.setdefault("bar_color", rgba("border"))
        kwargs.setdefault("bar_inactive_color", rgba("border"))
        super().__init__(**kwargs)

    def update_from_scroll(self, *largs):
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)


class Body(FreshTexture, Label):
    """Wrapping body text at the body size. `bold` and `tone` instead of font_name/color,
    because the kv rule's expressions would override those given to the constructor."""

    bold = BooleanProperty(False)
    tone = OptionProperty("normal", options=["normal", "error", "success"])


class Title(FreshTexture, Label):
    """Wrapping title text."""


class Icon(FreshTexture, Label):
    name = StringProperty("")


class QRCode(Image):
    """A QR code drawn from `data` (a URL), crisp at any size.

    Codes are made once per URL (30 to 90 ms each, on the tap that shows them) and kept:
    they are the content pack's links, never a visitor's data."""

    data = StringProperty("")
    _textures: dict[str, Texture] = {}
    MAX_KEPT = 64

    def on_data(self, _instance, value: str) -> None:
        if not value:
            self.texture = None
            return
        texture = self._textures.get(value)
        if texture is None:
            texture = self._make(value)
            if len(self._textures) >= self.MAX_KEPT:
                self._textures.clear()
            self._textures[value] = texture
        self.texture = texture

    @staticmethod
    def _make(value: str) -> Texture:
        import qrcode  # not needed for the first frames (bench/startup.py)
        qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(value)
        qr.make(fit=True)
        img = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
        texture = Texture.create(size=img.size, colorfmt="rgb")
        texture.blit_buffer(img.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        texture.flip_vertical()
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        return texture


class ProgressBarMm(Label):
    """A thick progress bar (the stock ProgressBar is a thin image)."""

    value = NumericProperty(0)
    maximum = NumericProperty(1)
    fill = ListProperty(rgba("primary"))


def running_app():
    return App.get_running_app()
