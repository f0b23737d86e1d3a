"""The right-to-left core label (screens/rtl_text.py) against Kivy's SDL2 label, in the
real window's GL context."""

from __future__ import annotations

import time

from kiosk.config import ASSETS_DIR

ARABIC_BOLD = str(ASSETS_DIR / "fonts" / "PasAPasArabic-Bold.ttf")
ATKINSON = str(ASSETS_DIR / "fonts" / "AtkinsonHyperlegible-Regular.ttf")
# « Go to ameli.fr, then touch Next »: Arabic words, a Latin word and a number.
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
