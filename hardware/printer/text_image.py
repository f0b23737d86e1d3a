"""Receipt text the printer's code page cannot print, drawn as a 1-bit raster image.

CP1252 and CP858 have no Arabic and no Turkish ğ ı İ ş: sent as text they print « ? ».
Such a block is drawn with Pillow over raqm (HarfBuzz shapes, FriBiDi orders a run) and
sent as a raster image. Pillow has no font fallback and Noto Sans Arabic has no Latin
letters, so a line is cut into runs, Arabic (Noto Sans Arabic) and the rest (Atkinson
Hyperlegible), each drawn in its own direction; in a right-to-left paragraph the runs go
from the right edge leftwards in logical order, so « ameli.fr » and numbers stay readable
left to right. Lines are wrapped in logical order, so the first line holds the first words.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, features

from kiosk.config import ASSETS_DIR
from kiosk.languages import ATKINSON, NOTO_SANS_ARABIC

FONTS_DIR = ASSETS_DIR / "fonts"
LINE_GAP_PX = 6
_RTL_CLASSES = ("R", "AL", "AN")
_STRONG_LTR = ("L", "EN")
# Bidi controls the i18n layer puts around placeholders: FriBiDi would use them, but runs
# are ordered here, and Atkinson has no glyph for them.
_CONTROLS = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"))


@lru_cache(maxsize=4)
def _cmap(arabic: bool) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    pair = NOTO_SANS_ARABIC if arabic else ATKINSON
    with TTFont(str(FONTS_DIR / pair[0]), lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable(text: str) -> bool:
    """Whether every character has a glyph in the font its run is drawn with (or, like
    « İ », decomposes into ones that do: HarfBuzz draws I + U+0307). A missing glyph would
    print as an empty box: such a text is better sent as text, where it prints « ? »."""
    for ch in text.translate(_CONTROLS).replace("\n", ""):
        # A neutral or a mark (the tanwin of « غداً ») is drawn by the run it sits in.
        if not any(ord(ch) in cmap or all(ord(c) in cmap for c in unicodedata.normalize("NFD", ch))
                   for cmap in (_cmap(_is_rtl(ch)), _cmap(not _is_rtl(ch)))):
            return False
    return True


def printable(text: str, code_page: str) -> bool:
    """Whether the code page has every character (python-escpos would print « ? » otherwise)."""
    try:
        text.encode(code_page.lower())
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=16)
def _font(arabic: bool, bold: bool, size_px: int) -> ImageFont.FreeTypeFont:
    pair = NOTO_SANS_ARABIC if arabic else ATKINSON
    layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONTS_DIR / pair[1 if bold else 0]), size_px, layout_engine=layout)


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in _RTL_CLASSES


def rtl_paragraph(text: str) -> bool:
    """The direction of the first strong character (Unicode bidi rules P2, P3)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in _RTL_CLASSES[:2]:
            return True
        if kind == "L":
            return False
    return False


def runs(line: str, rtl: bool) -> list[tuple[str, bool]]:
    """(text, right to left) runs in logical order. A neutral (space, punctuation) joins the
    left-to-right side only between two left-to-right characters in a right-to-left
    paragraph (and the reverse), as the bidi algorithm resolves it (rules N1, N2)."""
    kinds = []
    for ch in line:
        b = unicodedata.bidirectional(ch)
        kinds.append(True if b in _RTL_CLASSES else False if b in _STRONG_LTR else None)
    resolved: list[bool] = []
    for i, (ch, k) in enumerate(zip(line, kinds)):
        if k is None and i and unicodedata.bidirectional(ch) == "NSM":
            k = resolved[-1]  # a combining mark goes with its base (rule W1)
        elif k is None:
            before = next((x for x in reversed(kinds[:i]) if x is not None), rtl)
            after = next((x for x in kinds[i + 1:] if x is not None), rtl)
            k = before if before == after else rtl
        resolved.append(k)
    out: list[tuple[str, bool]] = []
    for ch, k in zip(line, resolved):
        if out and out[-1][1] == k:
            out[-1] = (out[-1][0] + ch, k)
        else:
            out.append((ch, k))
    return out


def font_parts(run: str, run_rtl: bool) -> list[tuple[str, bool]]:
    """(text, drawn by the Arabic font) parts of one run, in logical order: a right-to-left
    run in Noto Sans Arabic, the rest in Atkinson, but a sign only the other font has is
    drawn by it in place (the Arabic comma between two Latin words stays in their
    left-to-right run, and Atkinson has no glyph for it: it printed as a box)."""
    parts: list[tuple[str, bool]] = []
    for ch in run:
        arabic = run_rtl
        if ord(ch) not in _cmap(arabic) and ord(ch) in _cmap(not arabic):
            arabic = not arabic
        if parts and parts[-1][1] == arabic:
            parts[-1] = (parts[-1][0] + ch, arabic)
        else:
            parts.append((ch, arabic))
    return parts


def _run_length(run: str, run_rtl: bool, bold: bool, size_px: int) -> float:
    direction = "rtl" if run_rtl else "ltr"
    return sum(_font(a, bold, size_px).getlength(t, direction=direction) for t, a in font_parts(run, run_rtl))


def _length(line: str, rtl: bool, bold: bool, size_px: int) -> float:
    return sum(_run_length(t, r, bold, size_px) for t, r in runs(line, rtl))


def wrap(text: str, width_px: int, bold: bool, size_px: int, rtl: bool | None = None) -> list[str]:
    """Lines in logical order, as many words on each as fit width_px. rtl: the paragraphs'
    direction (the receipt's language); None: each its first strong letter's."""
    lines: list[str] = []
    for para in text.translate(_CONTROLS).splitlines() or [""]:
        line = ""
        para_rtl = rtl_paragraph(para) if rtl is None else rtl
        for word in para.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and _length(candidate, para_rtl, bold, size_px) > width_px:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
    return lines


def text_image(text: str, width_px: int, size_px: int = 24, bold: bool = False,
               center: bool = False, rtl: bool | None = None) -> Image.Image:
    """The text as a 1-bit image width_px wide (black on white), one paragraph a line of text.
    rtl: the receipt's direction; None: that of the text's first strong letter."""
    if rtl is None:
        rtl = rtl_paragraph(text.translate(_CONTROLS))
    lines = wrap(text, width_px, bold, size_px, rtl)
    line_px = size_px + size_px // 2 + LINE_GAP_PX
    img = Image.new("1", (width_px, line_px * len(lines)), 1)
    draw = ImageDraw.Draw(img)
    for n, line in enumerate(lines):
        parts = runs(line, rtl)
        total = _length(line, rtl, bold, size_px)
        x = (width_px + total) / 2 if center and rtl else (width_px - total) / 2 if center else (width_px if rtl else 0)
        for run, run_rtl in parts:
            w = _run_length(run, run_rtl, bold, size_px)
            if rtl:
                x -= w
            _draw_run(draw, run, run_rtl, x, n * line_px + round(size_px * 1.1), bold, size_px)
            if not rtl:
                x += w
    return img


def _draw_run(draw: ImageDraw.ImageDraw, run: str, run_rtl: bool, left: float, baseline: float,
              bold: bool, size_px: int) -> None:
    """One run from its left edge; its font parts from the right in a right-to-left run."""
    direction = "rtl" if run_rtl else "ltr"
    pieces = font_parts(run, run_rtl)
    x = left + (_run_length(run, run_rtl, bold, size_px) if run_rtl else 0)
    for piece, arabic in pieces:
        font = _font(arabic, bold, size_px)
        w = font.getlength(piece, direction=direction)
        if run_rtl:
            x -= w
        # On one baseline: the two fonts' ascenders differ (Noto Sans Arabic's is taller).
        draw.text((x, baseline), piece, font=font, fill=0, anchor="ls", direction=direction)
        if not run_rtl:
            x += w
