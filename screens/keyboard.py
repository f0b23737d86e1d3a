"""The on-screen keyboard, laid out inside the field step so it never covers its buttons.

Kivy's docked keyboard floats over the bottom of the window, exactly where Précédent and
Suivant are. This one takes its own place in the layout and types into the step's field.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

from kivy.graphics import Color, Rectangle
from kivy.properties import BooleanProperty
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.vkeyboard import VKeyboard

from kiosk.config import ASSETS_DIR
from screens.widgets import FreshTexture, rgba

KEYBOARDS_DIR = ASSETS_DIR / "keyboards"
KEYBOARD_LAYOUT = KEYBOARDS_DIR / "fr_kiosk.json"
# The layout of the visit's language where French letters are not enough: Turkish letters
# (ç ğ ı İ ö ş ü), Arabic letters (with a Latin layer for e-mails and sites).
LAYOUT_OF_LANGUAGE = {"tr": KEYBOARDS_DIR / "tr_kiosk.json", "ar": KEYBOARDS_DIR / "ar_kiosk.json"}


def layout_for(language: str) -> str:
    return str(LAYOUT_OF_LANGUAGE.get(language, KEYBOARD_LAYOUT))


def hint_for(app, key: str) -> str:
    """A field's hint in the visit's language (an Arabic one is drawn by the field's
    FieldText, as its text is)."""
    return app.t(key)


def has_rtl_letters(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


class FieldText(FreshTexture, Label):
    """What a field holds, drawn by the right-to-left label (screens/rtl_text.py): shaped and
    in visual order, which TextInput's own SDL2 drawing is not."""

    own_rtl = True


class FieldInput(TextInput):
    """Text input for a step's field. Copy/paste bubbles are off: nothing of the visitor
    may reach the clipboard.

    A text (or, while it is empty, a hint) with Arabic letters is drawn over the field by a
    FieldText, right-aligned, its last letters kept in view, while TextInput's own glyphs and
    cursor are made transparent (widgets.kv): TextInput draws with Kivy's SDL2 label, which
    shows Arabic letters unjoined and left to right (issue 15). Typing still goes to the
    TextInput, at its end."""

    rtl_shown = BooleanProperty(False)

    def __init__(self, **kwargs):
        kwargs.setdefault("multiline", False)
        kwargs.setdefault("use_bubble", False)
        kwargs.setdefault("use_handles", False)
        kwargs.setdefault("write_tab", False)
        # The keyboard is ours, in the layout (screens/keyboard.py): never ask the window
        # for a docked one that would cover the buttons.
        kwargs.setdefault("keyboard_mode", "managed")
        # Taps on our keyboard's keys must not take the focus away from the field.
        kwargs.setdefault("unfocus_on_touch", False)
        super().__init__(**kwargs)
        self._drawn: FieldText | None = None
        self._drawn_rect: Rectangle | None = None
        self.bind(text=self._show_text, hint_text=self._show_text)
        self._show_text()

    def _show_text(self, *_args) -> None:
        shown = self.text or self.hint_text
        rtl = has_rtl_letters(shown)
        if rtl and self._drawn is None:
            self._drawn = FieldText(halign="right", valign="middle", shorten=True, shorten_from="left")
            # Painted in canvas.after: TextInput clears its canvas, children's included, at
            # every redraw of its own text.
            with self.canvas.after:
                Color(1, 1, 1, 1)
                self._drawn_rect = Rectangle(size=(0, 0))
            self._drawn.bind(texture=self._paint_drawn)
            self.bind(pos=self._place_drawn, size=self._place_drawn, padding=self._place_drawn,
                      font_name=self._place_drawn, font_size=self._place_drawn)
            self._place_drawn()
        if self._drawn is not None:
            self._drawn.color = rgba("text") if self.text else rgba("muted_text")
            self._drawn.text = shown if rtl else ""
        self.rtl_shown = rtl

    def _place_drawn(self, *_args) -> None:
        drawn, pad_x = self._drawn, self.padding[0]
        drawn.font_name, drawn.font_size = self.font_name, self.font_size
        drawn.size = (max(self.width - 2 * pad_x, 0), self.height)
        drawn.text_size = drawn.size
        drawn.pos = (self.x + pad_x, self.y)
        self._paint_drawn()

    def _paint_drawn(self, *_args) -> None:
        texture = self._drawn.texture if self._drawn.text else None
        self._drawn_rect.texture = texture
        self._drawn_rect.size = texture.size if texture is not None else (0, 0)
        if texture is not None:  # centred in the text box (the texture is the box, or less)
            self._drawn_rect.pos = (self._drawn.x + (self._drawn.width - texture.width) / 2,
                                    self._drawn.y + (self._drawn.height - texture.height) / 2)

    # True while wipe() empties the text: handlers of `text` skip that change, which is
    # the kiosk's, not the visitor's (a rebuild for a new text size must not erase a field).
    wiping = False

    def wipe(self) -> None:
        self.focus = False
        self.wiping = True
        try:
            self.text = ""
        finally:
            self.wiping = False
        # The undo history holds every earlier state of the text.
        self._undo = []
        self._redo = []

    def is_empty(self) -> bool:
        return not self.text and not self._undo and not self._redo


class KioskKeyboard(VKeyboard):
    def __init__(self, target, **kwargs):
        kwargs.setdefault("layout", str(KEYBOARD_LAYOUT))
        kwargs.setdefault("docked", False)
        # Dark keys under white letters: about 10:1, where Kivy's grey keys give under 4:1.
        kwargs.setdefault("key_background_color", (0.25, 0.25, 0.25, 1))
        kwargs.setdefault("background_color", (0.6, 0.6, 0.6, 1))
        super().__init__(**kwargs)
        self.field = target
        # What « OK » does: close the keyboard (KeyboardSlot sets it).
        self.on_ok: Callable[[], None] | None = None
        self._fix_in_place()

    def draw_keys(self):
        super().draw_keys()
        # One font for every key: « Majuscule » and « Retour arrière » would overflow their
        # keys on a narrow (portrait) screen. Only those labels get smaller.
        for label in self.children:
            label.texture_update()
            room = label.width * 0.9
            if label.texture_size[0] > room > 0:
                label.font_size = label.font_size * room / label.texture_size[0]

    def setup_mode_free(self):
        # Free mode lets visitors drag, turn and zoom the keyboard: keep it still.
        self._fix_in_place()

    def _fix_in_place(self):
        self.do_translation = self.do_rotation = self.do_scale = False

    def on_textinput(self, text):
        if self.field is not None:
            self.field.insert_text(text)

    def on_key_down(self, keycode, internal, modifiers):
        if self.field is None:
            return
        if keycode == "backspace":
            self.field.do_backspace()
        elif keycode == "enter":
            if self.on_ok is not None:
                self.on_ok()
        elif internal:
            self.field.insert_text(internal)

    def key_center(self, displayed: str) -> tuple[float, float]:
        """Window position of the key showing `displayed`, or of the special key named so
        ("backspace", "spacebar", "enter", "capslock"), in the current mode (for tests)."""
        layout = self.available_layouts[self.layout]
        for line in range(1, layout["rows"] + 1):
            for index, key in enumerate(layout[f"{self.layout_mode}_{line}"]):
                if displayed in (key[0], key[2]):
                    (x, y), (w, h) = self.layout_geometry[f"LINE_{line}"][index]
                    # Never turned or scaled (see _fix_in_place), and its parents are plain
                    # layouts: window position is its own position plus the key's.
                    return self.x + x + w / 2, self.y + y + h / 2
        raise KeyError(displayed)


KEY_ROWS = 5
KEY_MARGIN_PX = 4
MARGIN_HINT = 0.02


class KeyboardSlot:
    """Puts a KioskKeyboard typing into `field` in a layout slot, sized so each key row is at
    least the minimum target height, and takes it away again."""

    def __init__(self, slot):
        self.slot = slot
        self.keyboard: KioskKeyboard | None = None
        slot.bind(size=self._place, pos=self._place)

    def open(self, app, field, on_ok: Callable[[], None] | None = None) -> None:
        """Show the keyboard typing into field; « OK » calls on_ok (default: close it)."""
        if self.keyboard is not None:
            self.keyboard.field = field
            return
        from kiosk.theme import MIN_TARGET_MM

        row_px = app.metrics.mm(MIN_TARGET_MM) + KEY_MARGIN_PX
        self.slot.height = KEY_ROWS * row_px / (1 - 2 * MARGIN_HINT)
        self.keyboard = KioskKeyboard(target=field, layout=layout_for(app.language),
                                      font_name=app.font_bold, font_size=app.body_px,
                                      margin_hint=[MARGIN_HINT, 0.01, MARGIN_HINT, 0.01],
                                      key_margin=[KEY_MARGIN_PX / 2] * 4)
        self.keyboard.on_ok = on_ok or self.close
        self.slot.add_widget(self.keyboard)
        self._place()

    def relayout(self, app) -> None:
        """The visit's language changed: an open keyboard takes that language's layout."""
        kb = self.keyboard
        if kb is None or kb.layout == layout_for(app.language):
            return
        field, on_ok = kb.field, kb.on_ok
        self.close()
        self.open(app, field, on_ok=on_ok)
        if field is not None:
            field.focus = True

    @property
    def is_open(self) -> bool:
        return self.keyboard is not None

    def close(self) -> None:
        self.slot.clear_widgets()
        self.slot.height = 0
        if self.keyboard is not None:
            field = self.keyboard.field
            self.keyboard.field = self.keyboard.on_ok = None
            if field is not None:
                field.focus = False
        self.keyboard = None

    def _place(self, *_):
        # VKeyboard is a Scatter with a fixed size of its own: make it fill its slot.
        if self.keyboard is not None:
            self.keyboard.size_hint = (None, None)
            self.keyboard.size = self.slot.size
            self.keyboard.pos = self.slot.pos
