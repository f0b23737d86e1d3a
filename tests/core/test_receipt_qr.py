"""Issue 12 in the core: when a field is checked, printing again, and the receipt as a QR code."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from kiosk.config import KioskSection, SessionSection
from kiosk.receipt_qr import MAX_PAYLOAD_BYTES, build_payload, make_code, qr_version
from kiosk.receipts import build_procedure_receipt
from kiosk.session import FIELD_CHECK_PAUSE_S, PRINT_AGAIN_AFTER_S, SessionMachine, Visit

ANTS = "ants-pre-demande-carte-identite"


@pytest.fixture
def machine(real_pack, fake_clock):
    return SessionMachine(real_pack, SessionSection(), clock=fake_clock)


def to_ants_field(m):
    m.start()
    m.open_procedure(ANTS)
    m.next()
    m.next()
    m.next()  # the link step: the ANTS site
    m.choose(0)
    m.next()
    m.next()
    assert m.step.id == "numero"


def test_the_format_error_waits_for_a_pause_or_suivant(machine, fake_clock):
    to_ants_field(machine)
    machine.set_field("AB12")
    assert machine.field_error("numero") == "field.invalid"
    assert machine.shown_field_error("numero") is None
    fake_clock.advance(FIELD_CHECK_PAUSE_S - 0.1)
    machine.tick()
    assert machine.shown_field_error("numero") is None
    fake_clock.advance(0.2)
    machine.tick()
    assert machine.shown_field_error("numero") == "field.invalid"
    machine.set_field("AB12C")  # typing again hides it until the next pause
    assert machine.shown_field_error("numero") is None


def test_an_optional_half_typed_field_is_dropped_on_the_second_suivant(machine):
    to_ants_field(machine)
    machine.set_field("AB12")
    machine.next()
    assert machine.step.id == "numero" and machine.shown_field_error("numero") == "field.invalid"
    machine.next()
    assert machine.step.id == "rendez-vous" and "numero" not in machine.visit.fields


def test_a_double_tap_after_a_print_is_not_a_second_copy(machine, fake_clock):
    to_ants_field(machine)
    machine.print_started()
    assert not machine.may_print()
    machine.print_finished(True, None)
    assert machine.visit.print_copies == 1 and not machine.may_print()
    fake_clock.advance(PRINT_AGAIN_AFTER_S)
    assert machine.may_print()


def _png(code) -> bytes:
    out = io.BytesIO()
    code.save(out, kind="png", scale=4, border=2)
    return out.getvalue()


def _receipts(pack):
    for proc in pack.procedures.values():
        for end in (s for s in proc.steps if s.kind == "end"):
            visit = Visit(started_at=0, procedure_id=proc.id, step_id=end.id,
                          history=[s.id for s in proc.steps if s.kind != "end"])
            for step in proc.steps:
                if step.kind == "field":
                    visit.fields[step.id] = "QZCANARY42"
                    visit.show_in_full.add(step.id)
            yield proc, visit, build_procedure_receipt(proc, visit, KioskSection(), datetime(2026, 12, 2, 10, 0))


def test_every_receipt_fits_a_readable_code_and_never_carries_a_typed_value(real_pack):
    for proc, visit, receipt in _receipts(real_pack):
        payload = build_payload(receipt)
        assert payload.size_bytes <= MAX_PAYLOAD_BYTES, proc.id
        assert "QZCANARY42" not in payload.text, proc.id
        assert qr_version(payload.text) <= 14, proc.id
        link = proc.link_on_path(visit.history)  # the one the receipt prints
        if link is not None:
            assert payload.text.endswith(link.url), proc.id
        assert payload.text.startswith(proc.title)
    # One decoded for real: what the phone reads is the text, accents and all.
    proc, _visit, receipt = next(_receipts(real_pack))
    text = build_payload(receipt).text
    img = Image.open(io.BytesIO(_png(make_code(text))))
    assert [c.data.decode("utf-8") for c in decode(img)] == [text]


def test_a_long_section_leaves_room_for_the_papers(real_pack):
    proc = real_pack.procedures[ANTS]
    receipt = next(r for p, _v, r in _receipts(real_pack) if p.id == ANTS)
    payload = build_payload(receipt)
    assert not payload.complete and "(La suite n'a pas la place dans ce code.)" in payload.text
    for heading in ("Ce qu'il vous reste à faire", "Les papiers à apporter", "Où aller"):
        assert heading in payload.text
    assert proc.title in payload.text
