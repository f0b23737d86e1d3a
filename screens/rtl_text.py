"""Right-to-left text: Kivy's Pillow label provider, over raqm (HarfBuzz + FriBidi).

Kivy 2.3.1's SDL2 label shapes Arabic but does no bidi: letters come out in logical order,
left to right (issue 15). `kivy.core.text.text_pil.LabelPIL` draws each line with Pillow,
whose raqm layout shapes it and puts it in visual order, digits and Latin words included.
Kivy still breaks the lines (kivy.core.text.text_layout), in logical order: the first line
holds the first words, as a reader of Arabic expects.

`RtlLabel` adds what LabelPIL lacks: the paragraph's direction given to every line (from
the first strong letter of the whole text, so a wrapped line that starts with « ameli.fr »
stays right to left) and a cache of text measurements (Kivy measures each word and each
candidate line while wrapping; raqm lays a string out for each measure).

The cache is keyed by the text measured, and a summary shows what a visitor typed: it is
wiped at reset with the other render caches (screens/assemble.py ui_wipes).
"""

from __future__ import annotations

import unicodedata

from kivy.core.text.text_pil import LabelPIL

MAX_MEASURES = 8192
_measures: dict[tuple, tuple[int, int]] = {}


def paragraph_direction(text: str) -> str:
    """« rtl » or « ltr »: the first strong letter's direction (UAX #9 rules P2, P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "rtl"  # digits or punctuation only, in a right-to-left screen


class RtlLabel(LabelPIL):
    """A core label for right-to-left languages: Pillow + raqm, with the paragraph's direction."""

    def _direction(self) -> str:
        text = self.text or ""
        if getattr(self, "_direction_of", None) != text:
            self._direction_of = text
            self._paragraph = paragraph_direction(text)
        return self._paragraph

    def get_extents(self, text):
        font = self._select_font()
        if not font:
            return 0, 0
        direction = self._direction()
        key = (self.options["font_name_r"], int(self.options["font_size"]), direction,
               self.options["limit_render_to_text_bbox"], text)
        found = _measures.get(key)
        if found is None:
            left, top, right, bottom = font.getbbox(text, direction=direction)
            ascent, descent = font.getmetrics()
            height = bottom - top if self.options["limit_render_to_text_bbox"] else ascent + descent
            found = (right - left, height)
            if len(_measures) >= MAX_MEASURES:
                _measures.clear()
            _measures[key] = found
        return found

    def get_cached_extents(self):
        return self.get_extents

    def _render_text(self, text, x, y):
        font = self._select_font()
        if not font:
            return
        color = tuple(int(c * 255) for c in self.options["color"])
        self._pil_draw.text((int(x), int(y)), text, font=font, fill=color, direction=self._direction())


def clear_measures() -> None:
    _measures.clear()


def measures_empty() -> bool:
    return not _measures


_active = False


def use(right_to_left: bool) -> None:
    """The screens' language runs right to left (set by kiosk/app.py on a language switch)."""
    global _active
    _active = right_to_left


def active() -> bool:
    return _active
