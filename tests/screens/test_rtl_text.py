"""The right-to-left core label (screens/rtl_text.py) against Kivy's SDL2 label, in the
real window's GL context."""

from __future__ import annotations

import io
import shutil
import subprocess
import time

import pytest
from PIL import Image, ImageChops, ImageOps

from kiosk.config import ASSETS_DIR

ARABIC_BOLD = str(ASSETS_DIR / "fonts" / "PasAPasArabic-Bold.ttf")
ATKINSON = str(ASSETS_DIR / "fonts" / "AtkinsonHyperlegible-Regular.ttf")
# « Go to ameli.fr, then touch Next »: Arabic words, a Latin word and a number.
ARABIC_REGULAR = str(ASSETS_DIR / "fonts" / "PasAPasArabic-Regular.ttf")
# Arabic only (HarfBuzz shapes one run; bidi of mixed text is FriBiDi's, tested above).
ARABIC_ONLY = "اذهب إلى موقع التأمين الصحي ثم المس التالي لكي تكمل المعاملة بنفسك في هذه الخطوة"
SENTENCE = "اذهب إلى موقع ameli.fr ثم المس التالي في الخطوة 3 من 6 لكي تكمل المعاملة بنفسك"


def pixels(label) -> bytes:
    label.refresh()
    return bytes(label.texture.pixels)


def test_an_rtl_label_does_not_change_a_later_ltr_label_of_the_same_font(window):
    """Kivy's SDL2 font cache is keyed by font and size, not direction or script: a label
    drawn right to left through it would change later labels of the same font. Arabic
    goes through Pillow instead; the SDL2 label draws the same before and after."""
    from kivy.core.text import Label as CoreLabel

    from screens.rtl_text import RtlLabel

    def ltr():
        return pixels(CoreLabel(text="Suivant 01 70 ameli.fr", font_name=ARABIC_BOLD, font_size=30))

    before = ltr()
    rtl = RtlLabel(text=SENTENCE, font_name=ARABIC_BOLD, font_size=30)
    assert any(pixels(rtl))
    assert ltr() == before


def test_a_wrapped_paragraph_starts_with_its_first_words_on_the_first_line(window):
    from screens.rtl_text import RtlLabel
    label = RtlLabel(text=SENTENCE, font_name=ARABIC_BOLD, font_size=30, text_size=(400, None), halign="right")
    label.refresh()
    lines = ["".join(word.text for word in line.words).strip() for line in label._cached_lines]
    lines = [line for line in lines if line]
    assert len(lines) >= 3
    # Logical order, line by line: the text read from the first line down is the sentence.
    assert " ".join(lines).split() == SENTENCE.split()
    assert lines[0].startswith("اذهب")


def test_measures_are_cached_and_wiped(window):
    from screens import rtl_text
    from screens.rtl_text import RtlLabel
    rtl_text.clear_measures()

    def layout_and_draw_s() -> tuple[float, float]:
        """Seconds to lay the paragraph out (Kivy's refresh), then to draw it (the texture's
        pixels are filled when first read), per label."""
        layout = draw = 0.0
        for size in (24, 30):
            label = RtlLabel(text=SENTENCE, font_name=ARABIC_BOLD, font_size=size, text_size=(500, None))
            start = time.perf_counter()
            label.refresh()
            middle = time.perf_counter()
            assert any(bytes(label.texture.pixels))
            layout, draw = layout + middle - start, draw + time.perf_counter() - middle
        return layout / 2, draw / 2

    cold = layout_and_draw_s()
    assert not rtl_text.measures_empty()
    warm = min(layout_and_draw_s() for _ in range(3))
    print(f"Arabic paragraph label: layout {cold[0] * 1000:.1f} ms uncached, {warm[0] * 1000:.1f} ms with "
          f"cached measures; drawing {cold[1] * 1000:.1f} / {warm[1] * 1000:.1f} ms")
    assert warm[0] < cold[0] / 5
    rtl_text.clear_measures()
    assert rtl_text.measures_empty()


def test_paragraph_direction():
    from screens.rtl_text import paragraph_direction
    assert paragraph_direction("ameli.fr هو الموقع") == "ltr"
    assert paragraph_direction("\u2068ameli.fr\u2069 هو") == "ltr"
    assert paragraph_direction("123 الموقع") == "rtl"
    assert paragraph_direction(SENTENCE) == "rtl"
    assert paragraph_direction("Bonjour") == "ltr"


def ink(img: Image.Image) -> Image.Image:
    """Black on white, cut to its ink: two renderers' images of one text compared dot by dot."""
    bw = img.convert("L").point(lambda v: 255 if v > 128 else 0)
    return bw.crop(ImageOps.invert(bw).getbbox())


def harfbuzz_drawing(text: str, size_px: int) -> Image.Image:
    """The text as HarfBuzz's own hb-view draws it, right to left (libharfbuzz-bin)."""
    png = subprocess.run(["hb-view", "--font-size", str(size_px), "--margin", "0", "--direction", "rtl",
                          "-O", "png", ARABIC_REGULAR, text], capture_output=True, check=True, timeout=30).stdout
    return ink(Image.open(io.BytesIO(png)))


def texture_drawing(label, top_px: int = 0, height_px: int | None = None) -> Image.Image:
    label.refresh()
    texture = label.texture
    rgba = Image.frombytes("RGBA", texture.size, bytes(texture.pixels))
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    white.alpha_composite(rgba)
    return ink(white.crop((0, top_px, texture.width, top_px + (height_px or texture.height))))


def agreement(reference: Image.Image, drawn: Image.Image) -> float:
    """Share of dots alike, the drawing scaled to the reference's ink box."""
    differ = ImageChops.difference(reference, drawn.resize(reference.size)).histogram()[255]
    return 1 - differ / (reference.width * reference.height)


needs_hb_view = pytest.mark.skipif(shutil.which("hb-view") is None,
                                   reason="hb-view (Debian libharfbuzz-bin, installed by scripts/setup.sh) missing")


@needs_hb_view
def test_arabic_is_drawn_as_harfbuzz_itself_draws_it(window):
    # An engine outside Kivy's and Pillow's code: hb-view shapes with HarfBuzz and draws
    # with cairo. Kivy's own SDL2 label, which shows the letters unjoined, is the control.
    from kivy.core.text import Label as CoreLabel

    from screens.rtl_text import RtlLabel
    line = " ".join(ARABIC_ONLY.split()[:7])
    reference = harfbuzz_drawing(line, 30)
    ours = texture_drawing(RtlLabel(text=line, font_name=ARABIC_REGULAR, font_size=30, color=(0, 0, 0, 1)))
    sdl2 = texture_drawing(CoreLabel(text=line, font_name=ARABIC_REGULAR, font_size=30, color=(0, 0, 0, 1)))
    assert abs(ours.width - reference.width) <= 3, (ours.size, reference.size)
    assert agreement(reference, ours) > 0.97
    assert agreement(reference, sdl2) < 0.9 and sdl2.width > reference.width * 1.1


@needs_hb_view
def test_a_wrapped_arabic_paragraph_draws_its_first_words_on_its_first_line_as_harfbuzz_does(window):
    from screens.rtl_text import RtlLabel
    label = RtlLabel(text=ARABIC_ONLY, font_name=ARABIC_REGULAR, font_size=30, text_size=(420, None),
                     halign="right", color=(0, 0, 0, 1))
    label.refresh()
    lines = [line for line in label._cached_lines if "".join(w.text for w in line.words).strip()]
    assert len(lines) >= 3
    first_words = "".join(w.text for w in lines[0].words).strip()
    assert ARABIC_ONLY.startswith(first_words)
    top = 0
    for line in lines[:2]:
        text = "".join(w.text for w in line.words).strip()
        drawn = texture_drawing(label, top, line.h)
        assert agreement(harfbuzz_drawing(text, 30), drawn) > 0.97, text
        top += line.h
