"""Procedures on screen in the visit's language: translated texts and the note that the
site is in French, or French texts marked « en français » in the visitor's language."""

from __future__ import annotations

from kiosk.content.loader import load_pack
from kiosk.services import Services
from kiosk.session import State
from tests.content.conftest import PackWriter
from tests.content.test_translations import CATEGORIES, write_translation


def english_pack(tmp_path):
    pack = PackWriter(tmp_path / "pack")
    write_translation(pack)
    (pack.root / "translations" / "en" / "categories.yaml").write_text(CATEGORIES, encoding="utf-8")
    return load_pack(pack.root)


def test_a_translated_procedure_and_a_french_one_marked(make_kiosk, tmp_path, help_desk):
    k = make_kiosk(Services(printer=None, helpcall=help_desk), pack=english_pack(tmp_path))
    k.tap_at(640, 300)
    assert k.machine.state is State.HOME
    k.app.controller.set_language("en")
    k.frames(3)
    k.press("ID card and passport")
    k.press("Make a test")
    assert k.machine.state is State.STEP
    k.frames(2)
    shown = k.texts()
    assert "What you will do" in shown and "The official website is in French." in shown
    assert "Ce que vous allez faire" not in shown
    k.screenshot("content_language_en_first_step")
    # Spanish has no translation of it: the French texts, marked in Spanish; the step stays.
    k.app.controller.set_language("es")
    k.frames(3)
    shown = k.texts()
    assert k.machine.visit.step_id == "intro"
    assert "Ce que vous allez faire" in shown and "en francés" in shown
    assert "The official website is in French." not in shown
    k.screenshot("content_language_es_marked_french")
