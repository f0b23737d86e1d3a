"""Builds assets/fonts/PasAPasArabic-{Regular,Bold}.ttf: Noto Sans Arabic, then Atkinson
Hyperlegible for what it lacks (Latin letters, « ( ) », « … »).

Why one merged file: Arabic screens are drawn by Pillow with raqm (kivy's LabelPIL), which
shapes and orders a line with one font and has no fallback. A line such as « ادخل إلى
ameli.fr » needs both fonts: drawn with Noto Sans Arabic alone, the Latin word would be
boxes. Merging keeps kiosk/languages.py's chain (Noto Sans Arabic first, Atkinson next): for a
character in both, fontTools' merger keeps the first font's glyph.

Both fonts are under the SIL OFL 1.1 with no Reserved Font Name; the merged family gets a
name of its own all the same (OFL-Noto.txt, OFL-AtkinsonHyperlegible.txt apply).
Run by hand after changing either font: python scripts/merge_arabic_font.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.merge import Merger

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "Pas a pas Arabic"
# Line box (units per em: 1000). Noto Sans Arabic's is 1374 above and 738 below the baseline,
# room for marks stacked higher than Arabic as the kiosk writes it: every Arabic text of the
# catalogs and procedures reaches 1298 above (« أُ », bold) and 519 below (2954 texts measured
# with raqm; tests/content/test_arabic_font.py keeps it true). 2.11 em lines made an Arabic
# button 128 px high at 1.5×, and the summary's buttons did not fit beside its text while a
# help call waits (tests/screens/test_large_text.py).
ASCENT, DESCENT = 1340, 560


def merge(weight: str) -> Path:
    font = Merger().merge([str(FONTS / f"NotoSansArabic-{weight}.ttf"),
                           str(FONTS / f"AtkinsonHyperlegible-{weight}.ttf")])
    names = font["name"]
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName(weight, 2, 3, 1, 0x409)
    names.setName(f"{FAMILY} {weight}", 4, 3, 1, 0x409)
    names.setName(f"PasAPasArabic-{weight}", 6, 3, 1, 0x409)
    hhea, os2 = font["hhea"], font["OS/2"]
    hhea.ascent, hhea.descent, hhea.lineGap = ASCENT, -DESCENT, 0
    os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = ASCENT, -DESCENT, 0
    os2.usWinAscent, os2.usWinDescent = ASCENT, DESCENT
    out = FONTS / f"PasAPasArabic-{weight}.ttf"
    font.save(str(out))
    return out


def main() -> int:
    for weight in ("Regular", "Bold"):
        print(merge(weight))
    return 0


if __name__ == "__main__":
    sys.exit(main())
