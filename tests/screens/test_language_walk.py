"""Issue 15's walk: a visitor picks Arabic (or English) on the home screen and goes through a
procedure to the printed receipt by real touches. On every screen no French text shows (the
procedure is translated: no marked fallback is expected), Arabic runs right to left, the
receipt's bytes decode (its Arabic as raster images, its link as a QR code), and the idle
reset brings French back."""

from __future__ import annotations

import pytest
from pyzbar.pyzbar import decode

from hardware.printer import PrintService
from kiosk.i18n import Catalog
from kiosk.services import Services
from kiosk.session import State
from tests.hardware.escpos_bytes import GS_V_0, raster_images
from tests.screens.catalog_paths import value_for
from tests.screens.conftest import make_config
from tests.screens.test_language_screens import language_button

FR = Catalog("fr")
WALKS = {"ar": ("العربية", "ameli-creer-compte", "https://www.ameli.fr"),
         "en": ("English", "creer-adresse-email", None)}


def french_texts(k, proc_id: str, language: str) -> set[str]:
    """What would show if French leaked: each French interface text and each French text of
    the procedure, where the language's own text differs."""
    own = Catalog(language)
    texts = {FR(key) for key in FR.keys() if "{" not in FR(key) and FR(key) != own(key)}
    french, shown = k.app.controller.pack.procedures[proc_id], k.machine.procedure
    texts |= {french.title} - {shown.title}
    for fr_step, step in zip(french.steps, shown.steps):
        texts |= {a for a, b in ((fr_step.title, step.title), (fr_step.text, step.text)) if a and a != b}
    return {text.strip() for text in texts if len(text.strip()) > 3}


def assert_no_french(k, leaks: set[str], where: str) -> None:
    from kivy.uix.label import Label

    from screens.widgets import KButton
    shown = [w.label if isinstance(w, KButton) else w.text for w in k.widgets()
             if isinstance(w, (Label, KButton)) and w.opacity > 0 and k._on_screen(w)]
    found = sorted({text.strip() for text in shown} & leaks)
    assert not found, f"French on the {where} screen: {found}"


def walk_to_summary(k, leaks: set[str], rtl: bool) -> None:
    step_screen = k.app.root_widget.ids.sm.get_screen("step")
    for _ in range(30):
        if k.machine.state is State.SUMMARY:
            return
        step = k.machine.step
        assert_no_french(k, leaks, step.id)
        ids = step_screen.ids
        if rtl:
            assert ids.previous_button.x > ids.next_button.x  # mirrored: « السابق » on the right
        if step.kind == "question":
            k.press(step.choices[0].label)
            continue
        if step.kind == "checklist":
            for item in step.items[:-1]:
                k.press(item.label)
        if step.kind == "field" and not step.optional:
            k.tap(step_screen.field_input)
            k.type_text(value_for(step.pattern))
        k.press(k.app.t("step.next"))
    raise AssertionError(f"no summary reached (at {k.machine.step.id})")


@pytest.mark.parametrize("language", sorted(WALKS))
def test_a_visit_in_the_language_reaches_a_printed_receipt_that_decodes(make_kiosk, help_desk, tmp_path, language):
    name, proc_id, link = WALKS[language]
    cfg = make_config(tmp_path)
    k = make_kiosk(Services(printer=PrintService(cfg), helpcall=help_desk), cfg=cfg)
    k.tap_at(640, 300)
    assert k.machine.state is State.HOME
    k.tap(language_button(k, name))
    k.frames(3)
    title = k.app.controller.pack.procedure_in(proc_id, language).title
    k.app.controller.set_search(title.split()[-1])  # a word of its title, as typed
    k.frames(3)
    k.press(title)
    assert k.machine.procedure.id == proc_id and k.machine.procedure.language == language
    leaks = french_texts(k, proc_id, language)
    assert {FR("step.next"), FR("bar.call_help"), k.app.controller.pack.procedures[proc_id].title} <= leaks
    walk_to_summary(k, leaks, rtl=language == "ar")
    assert_no_french(k, leaks, "summary")
    k.press(k.app.t("summary.print"))
    assert k.wait_for(lambda: k.machine.visit.print_status == "done", 15)
    k.screenshot(f"language-walk-{language}-printed")
    (spooled,) = sorted((tmp_path / "spool").iterdir())
    data = spooled.read_bytes()
    images = raster_images(data)
    urls = [code.data.decode() for img in images for code in decode(img)]
    if link:
        assert urls == [link]
    if language == "ar":
        # The Arabic blocks are images (the code page has no Arabic), each with ink in it.
        assert len(images) >= 5 and b"?" not in data.split(GS_V_0)[0]
        assert all(img.getextrema()[0] < 128 for img in images)
    else:
        assert FR("receipt.header").encode("cp1252") not in data
        assert Catalog("en")("receipt.header").encode("cp1252") in data
    # The idle reset brings French back for the next visitor.
    k.clock.advance(k.machine.idle_limit_s() + 1)
    k.app._tick(0)
    k.clock.advance(cfg.session.idle_warning_s + 1)
    k.app._tick(0)
    k.clock.advance(cfg.session.goodbye_s + 1)
    k.app._tick(0)
    k.frames(3)
    assert k.machine.state is State.ATTRACT
    assert k.app.language == "fr" and k.app.t("step.next") == FR("step.next")
