"""The visitor prints the summary: real ESC/POS bytes from python-escpos land in the spool."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from hardware.printer import PrintService
from kiosk.services import Services
from kiosk.session import State
from tests.screens.conftest import make_config
from tests.screens.test_walkthrough import open_from_home


def walk_ants_to_summary(k, number: str = "AB12CD34EF"):
    open_from_home(k, "Carte d'identité", "Faire la pré-demande de carte d'identité")
    k.press("Suivant")
    k.press("Une photo d'identité")
    k.press("Suivant")
    k.press("Suivant")  # the link step: the ANTS site
    k.press("Oui, j'ai un compte")
    k.press("Suivant")
    k.press("Suivant")
    k.tap(k.app.root_widget.ids.sm.get_screen("step").field_input)
    k.type_text(number)
    k.press("Suivant")
    k.press("Suivant")
    assert k.machine.state is State.SUMMARY


def printed_text(data: bytes) -> str:
    """The words on the paper: text decoded from CP1252, commands and line breaks removed."""
    text = re.sub(rb"\x1dv0\x00(..)(..)", b"", data, flags=re.S)
    text = re.sub(rb"\x1b@|\x1b[!aEtd-].|\x1dV.|\x1d!.", b" ", text)
    return " ".join(text.decode("cp1252", errors="replace").split())


def raster_images(data: bytes):
    """Images sent with GS v 0 (python-escpos raster mode)."""
    for m in re.finditer(rb"\x1dv0\x00(..)(..)", data, re.S):
        width_bytes = int.from_bytes(m.group(1), "little")
        height = int.from_bytes(m.group(2), "little")
        start = m.end()
        bits = data[start:start + width_bytes * height]
        img = Image.frombytes("1", (width_bytes * 8, height), bits)
        # ESC/POS: 1 = black; PIL "1": 1 = white.
        yield Image.eval(img.convert("L"), lambda v: 255 - v)


@pytest.fixture
def printing_kiosk(make_kiosk, help_desk, tmp_path):
    cfg = make_config(tmp_path)
    printer = PrintService(cfg)
    return make_kiosk(Services(printer=printer, helpcall=help_desk), cfg=cfg)


def test_print_writes_one_receipt_with_accents_qr_and_cut(printing_kiosk, tmp_path):
    k = printing_kiosk
    walk_ants_to_summary(k)
    k.press("Imprimer mon récapitulatif")
    assert k.wait_for(lambda: k.machine.visit.print_status == "done", 15)
    assert "N'oubliez pas de le prendre" in k.texts()
    k.screenshot("summary-printed")
    files = sorted((tmp_path / "spool").iterdir())
    assert len(files) == 1
    data = files[0].read_bytes()
    assert data.startswith(b"\x1b@")                       # initialise
    assert b"\x1bt\x10" in data                            # ESC t 16: code page WPC1252
    text = printed_text(data)
    assert "Faire la pré-demande de carte d'identité" in text
    papers = {i.id: i.label for i in k.machine.procedure.step("papers").items}
    assert papers["domicile"] in text                              # not ticked: to bring
    # The spool is a copy on disk: personal values never reach it (a real printer gets them).
    assert "AB12CD34EF" not in text and b"AB12CD34EF" not in data
    assert "(Information masquée dans la copie enregistrée.)" in text
    assert "Médiathèque de Lens" in text
    assert b"\x1dV" in data[-8:]                           # cut at the end
    urls = [c.data.decode() for img in raster_images(data) for c in decode(img)]
    assert urls == ["https://rendezvouspasseport.ants.gouv.fr"]


def test_a_second_tap_does_not_print_twice(printing_kiosk, tmp_path):
    k = printing_kiosk
    walk_ants_to_summary(k)
    button = k.button("Imprimer mon récapitulatif")
    k.tap(button)
    k.tap(button)
    assert k.wait_for(lambda: k.machine.visit.print_status == "done", 15)
    k.frames(10)
    assert len(list((tmp_path / "spool").iterdir())) == 1
    # Once the first is confirmed, another copy is one clear tap away, and prints once.
    again = k.button("Imprimer un autre exemplaire")
    assert not again.disabled
    assert not [b for b in k.widgets() if getattr(b, "label", "") == "Imprimer mon récapitulatif"
                and b.opacity > 0 and k._on_screen(b)]
    k.tap(again)  # the second half of the first double tap: ignored
    k.frames(10)
    assert len(list((tmp_path / "spool").iterdir())) == 1
    k.clock.advance(3)
    k.tap(again)
    k.tap(again)
    assert k.wait_for(lambda: len(list((tmp_path / "spool").iterdir())) == 2, 15)
    assert k.wait_for(lambda: k.machine.visit.print_status == "done", 15)
    k.frames(10)
    assert len(list((tmp_path / "spool").iterdir())) == 2


def test_no_printer_says_so_and_shows_the_qr_code_instead(make_kiosk, help_desk, tmp_path):
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    walk_ants_to_summary(k)
    assert k.button("Imprimer mon récapitulatif").disabled


def test_configured_help_line_is_shown_and_printed_and_none_means_no_number(make_kiosk, help_desk, tmp_path):
    from dataclasses import replace

    from kiosk.config import HelpLine
    cfg = replace(make_config(tmp_path), help_lines=(
        HelpLine("France Services de Lens", "03 21 00 00 00", "du lundi au vendredi, de 9 h à 17 h"),))
    k = make_kiosk(Services(printer=PrintService(cfg), helpcall=help_desk), cfg=cfg)
    walk_ants_to_summary(k)
    shown = k.texts().replace("\u00a0", " ")
    assert "Besoin d'aide plus tard ? Appelez :" in shown
    assert "France Services de Lens : 03 21 00 00 00, du lundi au vendredi, de 9 h à 17 h" in shown
    assert "772" not in shown
    k.app.root_widget.ids.sm.get_screen("summary").ids.scroller.scroll_y = 0  # the end, to look at
    k.frames(3)
    k.screenshot("summary-help-line")
    k.press("Imprimer mon récapitulatif")
    assert k.wait_for(lambda: k.machine.visit.print_status == "done", 15)
    [spooled] = (tmp_path / "spool").iterdir()
    text = printed_text(spooled.read_bytes()).replace("\u00a0", " ")
    assert "France Services de Lens : 03 21 00 00 00" in text and "772" not in text


def test_no_help_line_configured_shows_no_phone_number(make_kiosk, help_desk):
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    walk_ants_to_summary(k)
    shown = k.texts()
    assert "Besoin d'aide plus tard" not in shown and "772" not in shown and "Solidarité" not in shown
