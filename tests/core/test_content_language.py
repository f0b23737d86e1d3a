"""A visit in another language gets the procedures in it: steps, home lists, search,
notes and the receipt, French (marked) where a procedure has no translation."""

from __future__ import annotations

import time

import pytest

from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.content.loader import load_pack
from kiosk.controller import KioskController
from kiosk.receipts import receipt_text
from kiosk.services import Services
from tests.content.conftest import PackWriter
from tests.content.test_translations import CATEGORIES, write_translation
from tests.speech_support import RecordingSpeaker


def make(tmp_path, fake_clock, help_desk, printer=None, post=None):
    pack = PackWriter(tmp_path / "pack")
    write_translation(pack)
    (pack.root / "translations" / "en" / "categories.yaml").write_text(CATEGORIES, encoding="utf-8")
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path, name="Borne test", place="Lens"),
                 printer=PrinterSection(connection="dummy"))
    extra = {"post": post} if post else {}
    services = Services(helpcall=help_desk, printer=printer(cfg) if printer else None)
    c = KioskController(cfg, load_pack(pack.root), services, clock=fake_clock, speaker=RecordingSpeaker(), **extra)
    c.start()
    c.start_session()
    return c


@pytest.fixture
def controller(tmp_path, fake_clock, help_desk):
    c = make(tmp_path, fake_clock, help_desk)
    yield c
    c.close()


def walk_to_the_end(c) -> None:
    c.open_procedure("essai")
    c.next()           # intro -> question
    c.choose(0)        # oui
    c.next()           # -> fin (summary)


def test_an_english_visit_sees_the_english_procedure_everywhere(controller):
    c = controller
    c.set_language("en")
    assert [p.title for p in c.home_order()] == ["Make a test"]
    assert {cat.id: cat.title for cat in c.home_categories()} == {"papiers": "ID card and passport"}
    assert [p.title for p in c.search("rehearsal")] == ["Make a test"]
    c.open_procedure("essai")
    assert c.machine.step.title == "What you will do"
    assert c.procedure_notes(c.machine.procedure) == ["The official website is in French."]


def test_switching_language_mid_procedure_keeps_the_step_and_changes_its_texts(controller):
    c = controller
    c.open_procedure("essai")
    c.next()
    assert c.machine.step.title == "Avez-vous un compte\u00a0?"
    c.set_language("en")
    assert (c.machine.visit.step_id, c.machine.step.title) == ("question", "Do you have an account?")
    assert c.procedure_notes(c.machine.procedure) == ["The official website is in French."]


def test_a_language_without_translation_shows_french_marked_in_that_language(controller):
    c = controller
    c.set_language("es")
    c.open_procedure("essai")
    assert c.machine.step.title == "Ce que vous allez faire"
    assert c.procedure_notes(c.machine.procedure) == ["en francés"]
    c.set_language("fr")
    assert c.procedure_notes(c.machine.procedure) == []


def test_the_receipt_is_in_the_visits_language(controller):
    c = controller
    c.set_language("en")
    walk_to_the_end(c)
    text = " ".join(receipt_text(c.receipt_preview(), 42).split())  # lines wrapped at 42
    assert "Make a test" in text and "Come back tomorrow." in text
    assert "Your summary" in text and "What you still have to do:" in text
    assert "Service Public website" in text
    assert "Faire un essai" not in text and "Revenez demain" not in text


def test_an_arabic_visit_prints_its_receipt_with_the_arabic_as_images(request, tmp_path, fake_clock, help_desk):
    from hardware.printer import DummyConnection, PrintService
    from tests.hardware.escpos_bytes import raster_images
    from tests.hardware.test_print_languages import text_bytes

    connections, posted = [], []

    def printer(cfg):
        def factory():
            connections.append(DummyConnection())
            return connections[-1]
        return PrintService(cfg, connection_factory=factory)

    c = make(tmp_path, fake_clock, help_desk, printer=printer, post=posted.append)
    request.addfinalizer(c.close)  # the print worker's thread
    c.set_language("ar")
    walk_to_the_end(c)
    c.print_summary()
    deadline = time.monotonic() + 10  # a bound for what must happen, not a speed target
    while c.machine.visit.print_status.name == "PRINTING" and time.monotonic() < deadline:
        while posted:
            posted.pop(0)()
        time.sleep(0.02)
    assert c.machine.visit.print_status.name == "DONE"
    output = b"".join(job for conn in connections for job in conn.jobs)
    # No translation in Arabic: the French procedure texts print as text (CP1252 has them),
    # the Arabic headings as images; nothing as « ? ».
    assert b"?" not in text_bytes(output)
    assert "Revenez demain.".encode("cp1252") in output
    images = raster_images(output)
    assert len([img for img in images if img.width == 576]) >= 3  # the QR code is narrower
