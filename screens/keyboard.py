"""The on-screen keyboard, laid out inside the field step so it never covers its buttons.

Kivy's docked keyboard floats over the bottom of the window, exactly where Précédent and
Suivant are. This one takes its own place in the layout and types into the step's field.
"""

from __future__ import annotations

from kivy.uix.vkeyboard import VKeyboard

from kiosk.app import KEYBOARD_LAYOUT


class KioskKeyboard(VKeyboard):
    def __init__(self, target, **kwargs):
        kwargs.setdefault("layout", str(KEYBOARD_LAYOUT))
        kwargs.setdefault("docked", False)
        # Dark keys under white letters: about 10:1, where Kivy's grey keys give under 4:1.
        kwargs.setdefault("key_background_color", (0.25, 0.25, 0.25, 1))
        kwargs.setdefault("background_color", (0.6, 0.6, 0.6, 1))
        super().__init__(**kwargs)
        self.field = target
        self._fix_in_place()

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
        elif internal:
            self.field.insert_text(internal)

    def key_center(self, displayed: str) -> tuple[float, float]:
        """Window position of the key showing `displayed` in the current mode (for tests)."""
        layout = self.available_layouts[self.layout]
        for line in range(1, layout["rows"] + 1):
            for index, key in enumerate(layout[f"{self.layout_mode}_{line}"]):
                if key[0] == displayed:
                    (x, y), (w, h) = self.layout_geometry[f"LINE_{line}"][index]
                    # Never turned or scaled (see _fix_in_place), and its parents are plain
                    # layouts: window position is its own position plus the key's.
                    return self.x + x + w / 2, self.y + y + h / 2
        raise KeyError(displayed)
