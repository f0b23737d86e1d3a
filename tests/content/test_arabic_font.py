"""The merged Arabic font's line box (scripts/merge_arabic_font.py) holds every Arabic text the
kiosk shows: no mark above or below it is cut off by the top or bottom of its line."""

from __future__ import annotations

import re

import pytest
import yaml
from PIL import ImageFont

from kiosk.config import ASSETS_DIR

ARABIC = re.compile("[\u0600-\u06ff]")


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def arabic_lines() -> list[str]:
    from babel.messages.pofile import read_po

    texts = []
    for path in sorted((ASSETS_DIR / "locales" / "ar" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            for message in read_po(f):
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                texts += [form for form in forms if form]
    for path in sorted((ASSETS_DIR / "content" / "translations" / "ar").glob("*.yaml")):
        texts += strings(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [line for text in texts for line in text.splitlines() if ARABIC.search(line)]


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_every_arabic_line_of_the_kiosk_fits_the_fonts_line_box(weight):
    path = ASSETS_DIR / "fonts" / f"PasAPasArabic-{weight}.ttf"
    font = ImageFont.truetype(str(path), 1000, layout_engine=ImageFont.Layout.RAQM)
    ascent, descent = font.getmetrics()  # what Pillow (and so LabelPIL) gives a line
    lines = arabic_lines()
    assert len(lines) > 2000
    above = below = 0
    for line in lines:
        _, top, _, bottom = font.getbbox(line, anchor="ls", direction="rtl")
        above, below = max(above, -top), max(below, bottom)
    assert above <= ascent and below <= descent, (above, ascent, below, descent)
    assert ascent + descent <= 1.1 * (above + below)  # and no more than 10 % to spare
