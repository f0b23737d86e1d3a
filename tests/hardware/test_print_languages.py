"""Receipts in the visit's language, checked on the real ESC/POS bytes: what the code page
has prints as text; Arabic and Turkish ğ ı İ ş print as raster images, never « ? »."""

from __future__ import annotations

import pytest
from PIL import ImageChops

from hardware.printer.render import PAPER, render_escpos
from hardware.printer.text_image import text_image, wrap
from kiosk.config import PrinterSection
from kiosk.receipts import Receipt, bullets, heading, paragraph, title
from tests.hardware.escpos_bytes import GS_V_0, raster_images

PRINTER = PrinterSection(connection="dummy", code_page="CP858")
DOTS = PAPER[80]["dots"]
FIRST_WORD = "افتحوا"
ARABIC = f"{FIRST_WORD} الموقع ameli.fr واكتبوا رقم 12345 هنا. هذه جملة طويلة لكي يلتف السطر على سطرين أو أكثر."


def text_bytes(data: bytes) -> bytes:
    """The bytes outside raster images (whose dots may happen to be 0x3F, « ? »)."""
    out, pos = b"", 0
    while (start := data.find(GS_V_0, pos)) >= 0:
        width_bytes, height = data[start + 4] | data[start + 5] << 8, data[start + 6] | data[start + 7] << 8
        out += data[pos:start]
        pos = start + 8 + width_bytes * height
    return out + data[pos:]


def ink_box(img):
    return ImageChops.invert(img.convert("L")).getbbox()


def test_an_arabic_receipt_prints_its_arabic_as_images_that_decode():
    receipt = Receipt((title("ملخصك"), heading("ما تبقى عليك فعله:"), bullets(("تعالوا غداً.", "أحضروا بطاقة Vitale.")),
                       paragraph(ARABIC), paragraph("ameli.fr")))
    data = render_escpos(receipt, PRINTER)
    images = raster_images(data)
    assert len(images) == 4  # the four Arabic blocks; « ameli.fr » stays text
    assert b"?" not in text_bytes(data) and b"ameli.fr\n" in data
    assert all(img.width == DOTS and ink_box(img) is not None for img in images)
    # The bytes hold exactly what text_image drew (a 1 bit a black dot, row by row).
    expected = text_image(ARABIC, DOTS).convert("L")
    assert ImageChops.difference(images[3].convert("L"), expected).getbbox() is None


def test_a_wrapped_arabic_paragraph_starts_on_the_right_of_its_first_line():
    lines = wrap(ARABIC, DOTS, False, 24)
    assert len(lines) >= 2 and lines[0].startswith(FIRST_WORD)
    img = text_image(ARABIC, DOTS)
    line_px = img.height // len(lines)
    first_line = img.crop((0, 0, DOTS, line_px))
    word = text_image(FIRST_WORD, DOTS)
    word_box = ink_box(word)
    # Right-aligned, the first logical word is the rightmost ink of the first line, drawn
    # exactly as that word alone.
    assert ink_box(first_line)[2] == word_box[2] >= DOTS - 4
    right_part = (word_box[0], 0, DOTS, line_px)
    assert ImageChops.difference(first_line.crop(right_part).convert("L"),
                                 word.crop(right_part).convert("L")).getbbox() is None


def test_turkish_letters_missing_from_the_code_page_print_as_an_image():
    data = render_escpos(Receipt((paragraph("Yarın gelin: kimlik belgesi, İstanbul şubesi, doğum belgesi."),)), PRINTER)
    assert b"?" not in text_bytes(data)
    (img,) = raster_images(data)
    assert ink_box(img)[0] < 8  # left to right, from the left edge


def test_a_character_no_receipt_font_has_stays_text_with_a_question_mark():
    data = render_escpos(Receipt((paragraph("مرحبا ☎"),)), PRINTER)
    assert GS_V_0 not in data and b"????? ?" in data  # an empty box would say less than « ? »


def test_what_the_code_page_has_stays_text():
    data = render_escpos(Receipt((paragraph("Come back. Renvoyez-le, 12 €."),)), PRINTER)
    assert GS_V_0 not in data and "Come back. Renvoyez-le, 12 €.".encode("cp858") in data


def test_a_neutral_sign_the_run_font_lacks_is_drawn_by_the_font_that_has_it():
    # The Arabic comma is a neutral: between two Latin words (a kiosk's place name in an
    # Arabic line) bidi puts it in the Latin run, whose font has no glyph for it: it printed
    # as an empty box.
    from hardware.printer.text_image import _cmap, font_parts, runs

    for line in ("Borne test، Lens", "المكان: Borne test، Lens", "Lens ٪ 12"):
        for rtl in (False, True):
            for run, run_rtl in runs(line, rtl):
                for part, arabic in font_parts(run, run_rtl):
                    assert all(ord(ch) in _cmap(arabic) for ch in part), (line, rtl, part, arabic)


def test_latin_words_around_an_arabic_comma_keep_their_order_in_a_right_to_left_line():
    # « Borne test، Lens » is one left-to-right run (bidi rules N1): drawn the same in a
    # right-to-left line, only placed on the right. Drawn as separate runs, it read
    # « Lens،Borne test ».
    line = "Borne test، Lens"
    ltr, rtl = text_image(line, DOTS), text_image(line, DOTS, rtl=True)
    left, right = ltr.crop(ink_box(ltr)), rtl.crop(ink_box(rtl))
    assert ink_box(rtl)[2] >= DOTS - 4 and left.size == right.size
    # The same glyphs in the same order, up to the antialiasing of a fractional position.
    differ = ImageChops.difference(left.convert("L"), right.convert("L")).histogram()[255]
    assert differ < 0.1 * left.width * left.height, differ


def test_an_arabic_receipts_lines_run_right_to_left_even_when_one_starts_with_a_latin_word():
    # A paper item translated as « RIB (relevé d'identité bancaire، كشف الهوية البنكية) »: by
    # its first strong letter the whole block ran left to right, bullet on the left, in the
    # middle of an Arabic receipt. The receipt's language gives its direction.
    items = ("RIB (relevé d'identité bancaire، كشف الهوية البنكية)", "بطاقة Vitale")
    receipt = Receipt((bullets(items),), rtl=True)
    (img,) = raster_images(render_escpos(receipt, PRINTER))
    line_px = img.height // 2
    first_line = img.crop((0, 0, DOTS, line_px))
    dash = text_image("-", DOTS, rtl=True)
    # The bullet is the rightmost ink of the first line, where it is alone on a line of its own.
    assert ink_box(first_line)[2] == ink_box(dash)[2] >= DOTS - 4
    assert ink_box(first_line)[0] > 8  # and the line does not start at the left edge
    assert text_image(items[0], DOTS) != text_image(items[0], DOTS, rtl=True)


@pytest.mark.parametrize("language, rtl", [("ar", True), ("en", False), ("fr", False)])
def test_a_receipt_takes_its_direction_from_the_visits_language(real_pack, language, rtl):
    from datetime import datetime

    from kiosk.config import KioskSection
    from kiosk.i18n import Translator
    from kiosk.receipts import build_procedure_receipt
    from kiosk.session import Visit

    proc = real_pack.procedures["ameli-creer-compte"]
    made = build_procedure_receipt(proc, Visit(started_at=0.0), KioskSection(), datetime(2026, 12, 4), (),
                                   Translator(language))
    assert made.rtl is rtl
