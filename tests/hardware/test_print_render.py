"""The real ESC/POS bytes python-escpos makes from a receipt."""

import re
from dataclasses import replace
from datetime import datetime

import pytest

from hardware.printer.render import RenderError, qr_image, render_escpos
from kiosk.config import KioskSection, PrinterSection
from kiosk.receipts import Receipt, build_help_ticket, build_test_receipt, paragraph
from tests.hardware.escpos_bytes import decode_qr, raster_images

KIOSK = KioskSection(name="Borne test", place="Mairie")
WHEN = datetime(2026, 11, 22, 10, 15)
URL = "https://www.service-public.fr"
ESC_T = b"\x1bt"
CUT = b"\x1dV"


def test_one_explicit_code_page_cp1252_and_accents_as_cp1252_bytes():
    data = render_escpos(Receipt((paragraph("é è à ç ù œ « » – €"),)), PrinterSection())
    assert data.count(ESC_T) == 1
    assert ESC_T + bytes([16]) in data          # CP1252 is table 16 on the TM-T20II profile
    assert "é è à ç ù œ « » – €".encode("cp1252") in data
    assert b"\xe9" in data and b"\x80" in data  # é and €
    assert data.index(ESC_T) < data.index(b"\xe9")


def test_cp858_is_selected_when_configured():
    data = render_escpos(Receipt((paragraph("é €"),)), PrinterSection(code_page="CP858"))
    assert data.count(ESC_T) == 1 and ESC_T + bytes([19]) in data
    assert "é €".encode("cp858") in data


def test_a_character_outside_the_code_page_prints_as_question_mark_not_a_page_switch():
    # ☎ is in no font the receipt images use: the block stays text, with « ? ».
    data = render_escpos(Receipt((paragraph("Ω ☎ é"),)), PrinterSection())
    assert data.count(ESC_T) == 1
    assert b"? ? \xe9" in data


def test_bullet_mark_is_in_cp1252_but_not_in_cp858():
    assert b"\x95" in render_escpos(Receipt((paragraph("•"),)), PrinterSection())
    # Not in CP858: drawn as an image (hardware/printer/text_image.py), not « ? ».
    data = render_escpos(Receipt((paragraph("•"),)), PrinterSection(code_page="CP858"))
    assert b"?\n" not in data and len(raster_images(data)) == 1


def test_receipt_starts_with_init_and_ends_with_feed_and_cut():
    data = render_escpos(build_test_receipt(KIOSK, WHEN), PrinterSection())
    assert data.startswith(b"\x1b@")
    assert data.endswith(b"\x1bd\x06" + CUT + b"\x00")


@pytest.mark.parametrize("paper_mm, max_dots", [(80, 576), (58, 384)])
def test_raster_qr_is_in_the_bytes_fits_the_paper_and_decodes_to_the_link(paper_mm, max_dots):
    data = render_escpos(build_test_receipt(KIOSK, WHEN, url=URL), PrinterSection(paper_width_mm=paper_mm))
    images = raster_images(data)
    assert len(images) == 1
    assert images[0].width <= max_dots
    assert decode_qr(images[0]) == [URL]
    assert b"\x1d(k" not in data


def test_raster_qr_is_centred_on_the_paper():
    img = qr_image(URL, 80)
    bbox = img.convert("L").point(lambda v: 255 - v).getbbox()  # black dots
    left, right = bbox[0], 576 - bbox[2]
    assert abs(left - right) < 60  # quiet zone on the left, paper margin on the right


def test_native_qr_uses_gs_paren_k_with_the_url_and_no_image():
    data = render_escpos(build_test_receipt(KIOSK, WHEN, url=URL), PrinterSection(qr_native=True))
    assert b"\x1d(k" in data
    assert URL.encode() + b"" in data
    store = data.index(b"\x1d(k")
    assert data.index(b"1P0" + URL.encode()) > store   # fn 80: store the data
    assert b"1Q0" in data                               # fn 81: print it
    assert b"\x1dv0" not in data
    assert b"\x1ba\x01" in data                          # centred by justification


def test_help_ticket_number_uses_the_largest_character_size():
    data = render_escpos(build_help_ticket(42, KIOSK, WHEN), PrinterSection())
    # GS ! with width 8 and height 8 (maybe centred first), the number, then back to GS ! 0
    assert re.search(rb"\x1d!\x77(\x1ba\x01)?42\n(\x1ba\x00)?\x1d!\x00", data)


def test_redacted_render_leaves_visitor_input_out():
    receipt = Receipt((paragraph("Numéro : AB12CD34EF", personal=True), paragraph("Texte public")))
    full = render_escpos(receipt, PrinterSection())
    redacted = render_escpos(receipt, PrinterSection(), redact=True)
    assert b"AB12CD34EF" in full
    assert b"AB12CD34EF" not in redacted and b"Texte public" in redacted


def test_unknown_profile_is_a_plain_render_error():
    with pytest.raises(RenderError, match="NoSuchPrinter"):
        render_escpos(Receipt(()), replace(PrinterSection(), profile="NoSuchPrinter"))


def test_render_prints_nothing_on_stdout(capsys):
    render_escpos(build_test_receipt(KIOSK, WHEN), PrinterSection())
    assert capsys.readouterr().out == ""


def test_a_long_ticket_number_narrows_to_fit_58_mm_paper_but_stays_tall():
    data = render_escpos(build_help_ticket(12345, KIOSK, WHEN), PrinterSection(paper_width_mm=58))
    # 5 digits x 12 dots x 6 = 360 dots <= 384: width 6 (0x50), height 8 (0x07)
    assert re.search(rb"\x1d!\x57(\x1ba\x01)?12345\n", data)


def test_title_is_wrapped_for_double_width_on_58_mm():
    from kiosk.receipts import title
    receipt = Receipt((title("Faire la pré-demande de carte d'identité"),))
    data = render_escpos(receipt, PrinterSection(paper_width_mm=58))
    text = data.split(b"\x1ba\x01", 1)[1].split(b"\x1b!", 1)[0].decode("cp1252")
    assert max(len(line) for line in text.splitlines()) <= 16


def test_every_shipped_procedure_prints_with_a_qr_that_opens_its_official_link(real_pack):
    from kiosk.receipts import build_procedure_receipt
    from kiosk.session import Visit

    for proc in real_pack.procedures.values():
        end = [s for s in proc.steps if s.kind == "end"][-1]
        visit = Visit(started_at=0.0, procedure_id=proc.id, step_id=end.id,
                      history=[s.id for s in proc.steps if s.kind != "end"])
        data = render_escpos(build_procedure_receipt(proc, visit, KIOSK, WHEN), PrinterSection(paper_width_mm=58))
        assert data.count(ESC_T) == 1 and data.endswith(b"\x1dV\x00"), proc.id
        images = raster_images(data)
        assert [decode_qr(img) for img in images] == [[proc.link_on_path(visit.history).url]], proc.id
        assert all(img.width <= 384 for img in images)
