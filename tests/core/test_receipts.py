"""What a receipt says: built from a procedure and a visit, read back as plain text."""

from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import HelpLine, KioskSection, PrinterSection
from kiosk.content.model import ChecklistItem, Link, Procedure, Step
from kiosk.i18n import Catalog
from kiosk.receipts import (
    BlockKind,
    build_help_ticket,
    build_procedure_receipt,
    build_test_receipt,
    date_in_full,
    mask_value,
    receipt_text,
)
from kiosk.session import Visit

NBSP = "\u00a0"
KIOSK = KioskSection(name="Borne de la médiathèque", place="Médiathèque Louise-Michel, Lille")
WHEN = datetime(2026, 11, 22, 10, 15)


def make_procedure(mask: str = "last4", personal: bool = True) -> Procedure:
    steps = (
        Step(id="papiers", kind="checklist", title="Ce qu'il vous faut", next="verifier", papers=True,
             items=(ChecklistItem("vitale", "Votre carte Vitale"),
                    ChecklistItem("rib", "Un RIB"),
                    ChecklistItem("photo", "Une photo d'identité, si vous en avez une"))),
        # checks to make, not papers
        Step(id="verifier", kind="checklist", title="Vérifiez", next="numero",
             items=(ChecklistItem("ok", "Le nom est bien écrit"),)),
        Step(id="numero", kind="field", title="Votre numéro", label="Numéro", receipt_label="Numéro de dossier",
             personal=personal, mask=mask, next="note"),
        Step(id="note", kind="field", title="Note", label="Note", next="lien"),  # no receipt_label
        Step(id="lien", kind="link", title="Le site", link=Link("Site Ameli", "https://www.ameli.fr"), next="fin"),
        Step(id="autre", kind="checklist", title="Jamais vu", papers=True,
             items=(ChecklistItem("x", "Un papier jamais proposé"),),
             next="fin"),
        Step(id="fin", kind="end", title="Fini", done=("Comment créer votre compte.",),
             todo=("Confirmez votre adresse e-mail.",), bring=("Une photo d'identité",), where="À la CPAM de Lille."),
    )
    return Procedure(id="p", category="c", title="Créer son compte Ameli", summary="", keywords=(), duration_min=5,
                     before_you_start=(), links=(Link("Autre", "https://www.service-public.fr"),), popularity=1,
                     steps=steps, source=Path("p.yaml"))


def finished_visit(**fields: str) -> Visit:
    v = Visit(started_at=0.0, procedure_id="p", step_id="fin",
              history=["papiers", "verifier", "numero", "note", "lien"])
    v.checked["papiers"] = {"vitale"}
    v.fields.update(fields)
    return v


def text_of(receipt, width=48) -> str:
    return receipt_text(receipt, width)


def test_procedure_receipt_says_what_was_done_what_is_left_and_what_to_bring():
    text = text_of(build_procedure_receipt(make_procedure(), finished_visit(), KIOSK, WHEN))
    assert "Créer son compte Ameli" in text
    assert f"Ce que vous avez vu ici{NBSP}:" in text and "- Comment créer votre compte." in text
    assert f"Ce qu'il vous reste à faire{NBSP}:" in text and "- Confirmez votre adresse e-mail." in text
    assert f"Les papiers à apporter{NBSP}:" in text
    assert f"Où aller{NBSP}:" in text and "À la CPAM de Lille." in text
    assert "Borne de la médiathèque, Médiathèque\nLouise-Michel, Lille" in text
    assert "22 novembre 2026 à 10\u00a0h\u00a015" in text


def test_papers_to_bring_are_end_step_papers_plus_unticked_items_of_visited_checklists():
    receipt = build_procedure_receipt(make_procedure(), finished_visit(), KIOSK, WHEN)
    papers = [b.items for b in receipt.blocks if b.kind is BlockKind.BULLETS][-1]
    # Vitale was ticked; the photo item is the end step's photo said longer; "autre" was never
    # visited; "verifier" lists checks, not papers.
    assert papers == ("Une photo d'identité", "Un RIB")


def test_a_ticked_paper_is_not_listed_even_when_the_end_step_names_it():
    visit = finished_visit()
    visit.checked["papiers"] = {"vitale", "photo"}  # the end step's bring names the photo too
    text = text_of(build_procedure_receipt(make_procedure(), visit, KIOSK, WHEN))
    papers = text.split(f"Les papiers à apporter{NBSP}:\n")[1].split("\n\n")[0]
    assert papers == "- Un RIB"


def test_qr_carries_the_main_link_and_the_url_is_printed_as_text():
    receipt = build_procedure_receipt(make_procedure(), finished_visit(), KIOSK, WHEN)
    assert receipt.qr_urls == ("https://www.ameli.fr",)
    assert "\nwww.ameli.fr\n" in text_of(receipt)


@pytest.mark.parametrize("mask, typed, printed", [
    ("last4", "1 85 05 78 006 084 21", "**** 8421"),
    ("last4", "12345", "********"),          # too short: showing 4 would show almost all
    ("all", "AB12CD34EF", "********"),
    ("none", "AB12CD34EF", "AB12CD34EF"),
])
def test_personal_fields_are_masked_by_their_rule(mask, typed, printed):
    receipt = build_procedure_receipt(make_procedure(mask=mask), finished_visit(numero=typed), KIOSK, WHEN)
    text = text_of(receipt)
    assert f"Numéro de dossier{NBSP}: {printed}\n" in text
    if printed != typed:
        assert typed not in text and typed[-6:] not in text
    assert receipt.personal


def test_visitor_can_choose_to_print_a_personal_value_in_full():
    visit = finished_visit(numero="1 85 05 78 006 084 21")
    visit.show_in_full.add("numero")
    text = text_of(build_procedure_receipt(make_procedure(), visit, KIOSK, WHEN)).replace(NBSP, " ")
    assert "1 85 05 78 006 084 21" in text


def test_fields_without_receipt_label_or_value_are_not_printed():
    visit = finished_visit(note="secret note")
    receipt = build_procedure_receipt(make_procedure(), visit, KIOSK, WHEN)
    assert "secret note" not in text_of(receipt)
    assert not receipt.personal  # numero left empty, note has no receipt label


def test_mask_never_uses_a_character_outside_cp1252():
    for rule in ("last4", "all"):
        mask_value("1 85 05 78 006 084 21", rule).encode("cp1252")


def test_help_ticket_has_number_kiosk_and_time():
    receipt = build_help_ticket(17, KIOSK, datetime(2026, 3, 1, 9, 5))
    big = [b for b in receipt.blocks if b.kind is BlockKind.BIG_NUMBER]
    assert [b.text for b in big] == ["17"]
    text = text_of(receipt, 32)
    assert "Borne de la médiathèque" in text and "1er mars 2026 à 9\u00a0h\u00a005" in text
    assert not receipt.personal


def test_dates_in_full_in_french():
    assert date_in_full(datetime(2026, 8, 3, 14, 0)) == "3 août 2026 à 14\u00a0h\u00a000"
    assert date_in_full(datetime(2026, 12, 1, 8, 7)) == "1er décembre 2026 à 8\u00a0h\u00a007"


@pytest.mark.parametrize("width", [48, 32])
def test_text_never_exceeds_the_paper_width(width):
    long_step = Step(id="fin", kind="end", title="Fin", todo=("Un-mot-très-long-" * 8,))
    proc = make_procedure()
    proc = Procedure(**{**proc.__dict__, "steps": proc.steps[:-1] + (long_step,), "_by_id": {}})
    receipt = build_procedure_receipt(proc, finished_visit(), KIOSK, WHEN)
    lines = text_of(receipt, width).splitlines()
    assert max(len(line) for line in lines) <= width


def test_every_shipped_procedure_renders_with_its_end_step(real_pack):
    for proc in real_pack.procedures.values():
        for end in (s for s in proc.steps if s.kind == "end"):
            visit = Visit(started_at=0.0, procedure_id=proc.id, step_id=end.id,
                          history=[s.id for s in proc.steps if s.kind != "end"])
            text = receipt_text(build_procedure_receipt(proc, visit, KIOSK, WHEN), 32)
            assert proc.title.split()[0] in text
            for todo in end.todo:
                assert todo.split()[0] in text
            assert max(map(len, text.splitlines())) <= 32


def test_receipt_strings_are_correct_french():
    catalog = Catalog()
    from babel.messages.pofile import read_po

    from kiosk.i18n import LOCALES_DIR
    with (LOCALES_DIR / "fr" / "LC_MESSAGES" / "receipt.po").open("rb") as f:
        messages = list(read_po(f))[1:]
    assert len(messages) > 30
    for message in messages:
        key, text = message.context, message.string
        assert catalog(key) == text
        for mark in ":;!?":
            # a no-break space before every high punctuation mark, never a plain space
            assert f" {mark}" not in text, key
        assert "\u202f" not in text and '"' not in text, key


def test_test_receipt_holds_every_tricky_character():
    text = text_of(build_test_receipt(KIOSK, WHEN))
    for ch in "éèàçùœŒ«»–€":
        assert ch in text


def test_the_qr_is_the_site_of_the_branch_the_visitor_took():
    # Two branches with their own site: the receipt carries the one on the visitor's path,
    # not the first link written in the file.
    base = make_procedure()
    steps = (*base.steps[:4],
             Step(id="lien-urssaf", kind="link", title="Le site", next="fin",
                  link=Link("URSSAF", "https://www.autoentrepreneur.urssaf.fr")),
             *base.steps[4:])
    proc = Procedure(**{**base.__dict__, "steps": steps, "_by_id": {}})
    visit = finished_visit()
    visit.history = ["papiers", "verifier", "numero", "note", "lien-urssaf"]
    assert build_procedure_receipt(proc, visit, KIOSK, WHEN).qr_urls == ("https://www.autoentrepreneur.urssaf.fr",)
    visit.history = ["papiers", "verifier", "numero", "note", "lien"]
    assert build_procedure_receipt(proc, visit, KIOSK, WHEN).qr_urls == ("https://www.ameli.fr",)
    visit.history = ["papiers"]  # no link step on the path: the procedure's main link
    assert build_procedure_receipt(proc, visit, KIOSK, WHEN).qr_urls == ("https://www.autoentrepreneur.urssaf.fr",)


LURE = HelpLine(label="France Services de Lure", number="03 84 30 12 34", hours="du lundi au vendredi, de 9 h à 17 h")
NATIONAL = HelpLine(label="Ligne nationale", number="01 23 45 67 89")


def test_no_help_line_configured_prints_no_phone_number_at_all():
    # The kiosk cannot vouch for a number nobody configured (issue 17: the old national
    # line was printed as free and was reported paused).
    receipt = build_procedure_receipt(make_procedure(), finished_visit(), KIOSK, WHEN)
    text = text_of(receipt)
    assert "Besoin d'aide" not in text and "772" not in text and "Solidarité" not in text
    assert not any(ch.isdigit() for line in text.splitlines() if "Appelez" in line for ch in line)
    assert text.count("-" * 48) == 1  # one separator before the place, not two in a row


def test_configured_help_lines_print_in_order_with_hours_and_numbers_kept_whole():
    receipt = build_procedure_receipt(make_procedure(), finished_visit(), KIOSK, WHEN, (LURE, NATIONAL))
    text = text_of(receipt, 32)
    flat = text.replace("\n  ", " ")
    assert f"Besoin d'aide plus tard{NBSP}? Appelez{NBSP}:" in text_of(receipt, 48)
    local = flat.index(f"France Services de Lure{NBSP}: 03{NBSP}84{NBSP}30{NBSP}12{NBSP}34")
    assert local < flat.index(f"Ligne nationale{NBSP}: 01{NBSP}23{NBSP}45{NBSP}67{NBSP}89")
    assert "du lundi au vendredi, de 9 h à 17 h" in flat.replace(NBSP, " ")
    assert "03 84 30 12 34".replace(" ", NBSP) in text  # never cut across two lines at 32 characters
    assert text.index("Lure") < text.index("Borne de la médiathèque")


def test_help_line_reaches_the_printer_as_cp1252_bytes():
    from hardware.printer.render import render_escpos

    receipt = build_procedure_receipt(make_procedure(), finished_visit(), KIOSK, WHEN, (LURE,))
    data = render_escpos(receipt, PrinterSection())
    assert "France Services de Lure".encode("cp1252") in data
    assert b"03\xa084\xa030\xa012\xa034" in data  # no-break spaces in CP1252: one unbroken number
    bare = render_escpos(build_procedure_receipt(make_procedure(), finished_visit(), KIOSK, WHEN), PrinterSection())
    assert b"Besoin d'aide" not in bare and b"772" not in bare
