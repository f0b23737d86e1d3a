"""The locale rules of `kiosk content validate --locales`, each failing on a broken copy of
the shipped catalogs (assets/locales)."""

import json
import shutil

import pytest

from kiosk.cli import main
from kiosk.config import ASSETS_DIR
from kiosk.content.validate import locale_fallbacks, locale_problems

NBSP = "\u00a0"


class Locales:
    def __init__(self, root):
        self.root = root
        shutil.copytree(ASSETS_DIR / "locales", root)

    def edit(self, code, part, **changes):
        """Set (or, with None, delete) keys of assets/locales/<code>/<part>.json."""
        path = self.root / code / f"{part}.json"
        texts = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        for key, text in changes.items():
            key = key.replace("__", ".")
            if text is None:
                del texts[key]
            else:
                texts[key] = text
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(texts, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    def problems(self):
        return [p.message for p in locale_problems(self.root)]


@pytest.fixture
def locales(tmp_path):
    return Locales(tmp_path / "locales")


def test_the_shipped_copy_passes_and_lacks_no_visitor_key(locales):
    assert locales.problems() == []
    # Every visitor text is translated in all five (staff texts aside: they stay French).
    assert locale_fallbacks(locales.root) == {code: [] for code in ("ar", "en", "pt", "es", "tr")}


def test_a_key_french_does_not_have(locales):
    locales.edit("en", "app", step__nxet="Next")
    assert locales.problems() == ["step.nxet: not a key of the French catalog: a typo, or a key French no longer has"]


def test_a_staff_text_in_a_translation(locales):
    locales.edit("en", "conseiller", conseiller__title="Staff area")
    assert locales.problems() == [
        "conseiller.title: staff text: it stays in French for the conseillers (kiosk/languages.py); remove it"]


def test_a_placeholder_french_does_not_have(locales):
    locales.edit("en", "app", step__progress="Step {current} of {totl}")
    assert locales.problems() == [
        "step.progress: placeholder: {totl} is not in the French text, which has {current}, {total}"]


def test_a_placeholder_missing(locales):
    locales.edit("es", "app", help__number="Su número")
    assert locales.problems() == ["help.number: placeholder: {number} is missing: the French text shows it"]


def test_a_broken_brace(locales):
    locales.edit("tr", "app", step__next="İleri {")
    [problem] = locales.problems()
    assert problem.startswith("step.next: placeholder: not a valid text with {placeholders}")


def test_only_the_forms_named_after_a_number_may_say_it_in_words(locales):
    assert "{minutes}" not in json.loads((locales.root / "ar" / "app.json").read_text())["home.duration_one"]
    locales.edit("ar", "app", home__duration_few="حوالي دقائق")
    assert locales.problems() == ["home.duration_few: placeholder: {minutes} is missing: the French text shows it"]


def test_a_plural_form_the_language_needs(locales):
    locales.edit("ar", "app", idle__countdown_two=None)
    assert locales.problems() == [
        "idle.countdown: العربية needs the plural forms zero, one, two, few, many, other; "
        "missing: idle.countdown_two"]


def test_a_plural_form_the_language_does_not_have(locales):
    locales.edit("tr", "app", home__duration_few="Yaklaşık {minutes} dakika")
    assert locales.problems() == ["home.duration_few: plural « few » does not exist in Türkçe (tr): "
                                  "its forms are one, other"]


def test_an_unknown_language_folder(locales):
    locales.edit("de", "app", step__next="Weiter")
    [problem] = locale_problems(locales.root)
    assert problem.message.startswith("unknown language folder « de »: the kiosk speaks fr, ar, en, pt, es, tr")


def test_spanish_opens_its_questions_and_exclamations(locales):
    locales.edit("es", "app", home__question="Qué quiere hacer?", attract__erased="Sus datos se han borrado. Gracias!")
    assert locales.problems() == [
        "attract.erased: typography: Spanish opens with « ¡ » every sentence that ends with « ! »",
        "home.question: typography: Spanish opens with « ¿ » every sentence that ends with « ? »"]


def test_arabic_writes_its_own_question_mark_and_comma(locales):
    locales.edit("ar", "app", idle__question="هل ما زلت هنا?", leave__detail="سيُحذف ما اخترته, أو كتبته.")
    assert locales.problems() == ["idle.question: typography: « ? » in Arabic text: write « ؟ »",
                                  "leave.detail: typography: « , » in Arabic text: write « ، »"]


def test_french_spacing_outside_french(locales):
    locales.edit("en", "app", help__number=f"Your number{NBSP}: {{number}}")
    assert locales.problems() == ["help.number: typography: no-break space before « : » is a French rule: remove it"]


def test_glyphs_are_checked_against_the_fonts_of_each_language(locales):
    # Atkinson Hyperlegible has no Arabic: Arabic is drawn with Noto Sans Arabic first.
    locales.edit("ar", "app", step__next="التالي")
    assert locales.problems() == []
    locales.edit("en", "app", step__next="Next ت")
    assert locales.problems() == [
        "step.next: glyph: « ت » (U+062A ARABIC LETTER TEH) cannot be drawn by AtkinsonHyperlegible-Regular.ttf"]


def test_a_letter_the_font_draws_from_its_parts_passes_but_not_one_with_a_missing_part(locales):
    # Atkinson has no « İ » (U+0130) but has I and U+0307: HarfBuzz draws İ from them.
    locales.edit("tr", "app", step__next="İleri")
    assert locales.problems() == []
    # « Ṩ » is S + U+0323 + U+0307, and Atkinson lacks U+0323.
    locales.edit("tr", "app", step__next="Ṩ")
    assert locales.problems() == [
        "step.next: glyph: « Ṩ » (U+1E68 LATIN CAPITAL LETTER S WITH DOT BELOW AND DOT ABOVE) cannot be "
        "drawn by AtkinsonHyperlegible-Regular.ttf"]


def test_bidi_isolates_need_no_glyph_but_a_character_no_font_has_does(locales):
    locales.edit("ar", "app", help__number="رقمك: \u2066{number}\u2069")
    assert locales.problems() == []
    locales.edit("ar", "app", help__number="رقمك: ✓ {number}")
    assert locales.problems() == ["help.number: glyph: « ✓ » (U+2713 CHECK MARK) cannot be drawn by "
                                  "NotoSansArabic-Regular.ttf or AtkinsonHyperlegible-Regular.ttf"]


def test_a_missing_key_is_not_a_problem_but_is_listed_as_shown_in_french(locales):
    before = set(locale_fallbacks(locales.root)["pt"])
    locales.edit("pt", "app", step__next=None, home__duration_one=None, home__duration_other=None)
    assert locales.problems() == []
    assert set(locale_fallbacks(locales.root)["pt"]) - before == {"home.duration", "step.next"}


def test_cli_lists_fallbacks_and_passes(locales, capsys):
    locales.edit("en", "app", step__next=None)
    assert main(["content", "validate", "--locales", str(locales.root)]) == 0
    out = capsys.readouterr().out
    [en] = [line for line in out.splitlines() if line.startswith("locale en: ")]
    assert "key(s) shown in French: " in en and "step.next" in en.split(": ", 2)[2].split(", ")
    assert f"locale files in {locales.root} OK" in out
    assert not any(line.startswith("locale ar: ") and "step.next" in line for line in out.splitlines())
