"""Widgets every screen uses: buttons sized in millimetres, wrapping text, icons, QR codes."""

from __future__ import annotations

import json

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics.texture import Texture
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.utils import escape_markup

from kiosk.config import ASSETS_DIR
from kiosk.theme import COLOURS
from screens import rtl_text
from screens.rtl_text import RtlLabel

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


_ICON_TEXTURES: dict[tuple[str, int], Texture] = {}


def icon_texture(name: str, size_px: int) -> Texture:
    """An icon drawn in white (tinted by the canvas), made once per name and size."""
    key = (name, size_px)
    texture = _ICON_TEXTURES.get(key)
    if texture is None:
        label = CoreLabel(text=icon_char(name), font_name=ICON_FONT, font_size=size_px, color=(1, 1, 1, 1))
        label.refresh()
        texture = _ICON_TEXTURES[key] = label.texture
    return texture


def rgba(name: str, alpha: float = 1.0) -> list[float]:
    return [*COLOURS[name], alpha]


class FreshTexture:
    """For Labels: text that changes is rendered into a new texture, never into the one shown;
    and in a right-to-left language, plain text is drawn by RtlLabel (screens/rtl_text.py).

    Kivy reuses a label's texture when the new text has the same size and uploads into it.
    On Mesa's software renderer that upload waits for the renderer to stop reading the
    texture: 0.1 to 0.6 s per label, several per tap, where a render into a new texture
    takes about 0.1 ms (docs/FIELD_NOTES.md; tests/screens/test_widgets_render.py).
    """

    own_rtl = False  # True: right to left whatever the screen's language (a language's name)

    def texture_update(self, *largs):
        if self._label is not None:
            self._label.texture = None
        super().texture_update(*largs)

    def _create_label(self):
        wanted = not self.markup and (self.own_rtl or rtl_text.active())
        if not wanted:
            if isinstance(self._label, RtlLabel):
                self._label = None  # Kivy's own label again
            return super()._create_label()
        if isinstance(self._label, RtlLabel):
            return
        options = {x: getattr(self, x) for x in self._font_properties}
        options["usersize"] = self.text_size
        if self.disabled:
            options["color"] = self.disabled_color
            options["outline_color"] = self.disabled_outline_color
        self._label = RtlLabel(**options)

    def redraw_for_direction(self) -> None:
        """The language's direction changed: the right core label, then a new texture."""
        self._create_label()
        self._trigger_texture()


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
    # Right to left, the icon cannot be a markup glyph (Kivy's markup lays words out left to
    # right): it is a texture of its own, drawn at the button's right edge (widgets.kv).
    icon_texture = ObjectProperty(None, allownone=True)
    icon_room = NumericProperty(0)
    own_font = StringProperty("")  # a language's name is drawn in that language's font

    def on_touch_down(self, touch):
        return False if self.hidden else super().on_touch_down(touch)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.markup = True
        self.bind(icon=self._render, label=self._render, detail=self._render, font_size=self._render)
        self._render()

    @property
    def shown_detail(self) -> str:
        """The detail line as drawn (speech mode reads `detail` whether drawn or not)."""
        return self.detail

    def _trigger_texture_update(self, name=None, source=None, value=None):
        if name == "disabled":
            return  # the text is white either way; text_tint follows `disabled`
        super()._trigger_texture_update(name, source, value)

    def _render(self, *_):
        app = App.get_running_app()
        if self.own_rtl or rtl_text.active():
            self._render_plain()
            return
        self.icon_texture = None
        self.markup = True
        regular = app.font_regular if app is not None else ""
        self.text = button_markup(self.icon, self.label, self.shown_detail, int(self.font_size * 1.3), regular)

    def _render_plain(self) -> None:
        self.markup = False
        detail = self.shown_detail
        self.text = f"{self.label}\n{detail}" if detail else self.label
        self.icon_texture = icon_texture(self.icon, int(self.font_size * 1.3)) if self.icon else None

    def redraw_for_direction(self) -> None:
        self._render()
        super().redraw_for_direction()


class MirrorBox(BoxLayout):
    """A horizontal row that runs right to left when `mirrored` (widgets.kv: in a
    right-to-left language): « Précédent » on the right, « Suivant » on the left. Children
    keep their order, so code that finds or moves them is the same in both directions."""

    mirrored = BooleanProperty(False)
    # Speech mode reads each child's items in turn, whatever their places (speech_mode.py).
    read_in_columns = BooleanProperty(False)

    def on_mirrored(self, *_):
        self._trigger_layout()

    def do_layout(self, *args):
        super().do_layout(*args)
        if self.mirrored:
            for child in self.children:
                child.x = self.x + self.right - child.right


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
    AHEAD_AFTER_S = 0.0  # the next frame, once the step that asked is drawn

    def on_data(self, _instance, value: str) -> None:
        self.texture = self._texture_of(value) if value else None

    @classmethod
    def _texture_of(cls, value: str) -> Texture:
        texture = cls._textures.get(value)
        if texture is None:
            texture = cls._make(value)
            if len(cls._textures) >= cls.MAX_KEPT:
                cls._textures.clear()
            cls._textures[value] = texture
        return texture

    @classmethod
    def make_ahead(cls, values: list[str]) -> None:
        """Make the codes of values one per frame, before a tap needs them: each takes
        30 to 90 ms, one frame's worth of lag where no finger waits for it."""
        todo = [v for v in dict.fromkeys(values) if v and v not in cls._textures]
        if not todo:
            return

        def one(_dt, rest=todo):
            cls._texture_of(rest[0])
            if rest[1:]:
                Clock.schedule_once(lambda dt: one(dt, rest[1:]), 0)

        Clock.schedule_once(one, cls.AHEAD_AFTER_S)

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


def code_row(app, code: Image, caption: str) -> BoxLayout:
    """A QR code and its caption side by side: as tall as the taller of the two (at a large
    text size the caption outgrew a row of the code's height and was drawn over what
    follows). The code stands at the row's top, where the text opens: whole on screen first."""
    row = BoxLayout(size_hint_y=None, spacing=app.gap_px * 2)
    code.pos_hint = {"top": 1}
    body = Body(text=caption, pos_hint={"center_y": 0.5})
    row.add_widget(code)
    row.add_widget(body)

    def fit(*_):
        row.height = max(code.height, body.height)
    body.bind(height=fit)
    code.bind(height=fit)
    fit()
    return row


class ProgressBarMm(Label):
    """A thick progress bar (the stock ProgressBar is a thin image)."""

    value = NumericProperty(0)
    maximum = NumericProperty(1)
    fill = ListProperty(rgba("primary"))


def running_app():
    return App.get_running_app()
