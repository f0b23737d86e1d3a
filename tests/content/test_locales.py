"""The locale rules of `kiosk content validate --locales`, each failing on a broken copy of
the shipped catalogs (assets/locales/<lang>/LC_MESSAGES/*.po)."""

import shutil

import pytest

from kiosk.cli import main
from kiosk.config import ASSETS_DIR
from kiosk.content.validate import locale_fallbacks, locale_problems

NBSP = "\u00a0"


def read(path):
    from babel.messages.pofile import read_po
    with path.open("rb") as f:
        return read_po(f)


class Locales:
    def __init__(self, root):
        self.root = root
        shutil.copytree(ASSETS_DIR / "locales", root)

    def path(self, code, part):
        return self.root / code / "LC_MESSAGES" / f"{part}.po"

    def french(self, key):
        for path in sorted((self.root / "fr" / "LC_MESSAGES").glob("*.po")):
            for message in read(path):
                if message.context == key:
                    return message.id
        return None

    def edit(self, code, part, msgid=None, **changes):
        """Set (or, with None, delete) entries of <code>/LC_MESSAGES/<part>.po: key=text, or a
        tuple of plural forms; the msgid is the French text unless given (or the text itself
        for a key French does not have)."""
        from babel.messages.catalog import Catalog
        from babel.messages.pofile import write_po

        from kiosk.languages import BY_CODE
        path = self.path(code, part)
        catalog = read(path) if path.exists() else Catalog(locale=BY_CODE[code].cldr if code in BY_CODE else code,
                                                           fuzzy=False)
        for key, text in changes.items():
            key = key.replace("__", ".")
            old = next((m for m in list(catalog)[1:] if m.context == key), None)
            new_id = msgid or self.french(key) or text
            if old is not None and text is not None and old.id == new_id:
                old.string = text  # in place: problems keep the order of the file
                continue
            if old is not None:
                catalog.delete(old.id, context=key)
            if text is not None:
                catalog.add(new_id, text, context=key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=0)
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


def arabic_duration(**forms):
    """The six Arabic forms of home.duration, some replaced (index: text)."""
    shipped = ["حوالي {minutes} دقيقة", "حوالي دقيقة واحدة", "حوالي دقيقتين", "حوالي {minutes} دقائق",
               "حوالي {minutes} دقيقة", "حوالي {minutes} دقيقة"]
    for index, text in forms.items():
        shipped[int(index[1:])] = text
    return tuple(shipped)


def test_the_helper_writes_what_is_shipped(locales):
    [shipped] = [m for m in read(locales.path("ar", "app")) if m.context == "home.duration"]
    assert tuple(shipped.string) == arabic_duration()
    locales.edit("ar", "app", home__duration=arabic_duration())
    assert locales.problems() == []


def test_only_the_forms_named_after_a_number_may_say_it_in_words(locales):
    assert "{minutes}" not in arabic_duration()[1]  # one: « حوالي دقيقة واحدة » passes
    locales.edit("ar", "app", home__duration=arabic_duration(f3="حوالي دقائق"))
    assert locales.problems() == ["home.duration msgstr[3] (few): placeholder: {minutes} is missing: "
                                  "the French text shows it"]


def test_every_plural_form_needs_a_text(locales):
    locales.edit("ar", "app", home__duration=arabic_duration(f2=""))
    assert locales.problems() == [
        "home.duration msgstr[2] (two): empty: every plural form of العربية needs a text, "
        "or leave them all empty for French"]


def test_as_many_plural_forms_as_the_header_says(locales):
    path = locales.path("tr", "app")
    source = path.read_text(encoding="utf-8")
    [form_1] = [line for line in source.splitlines() if line.startswith("msgstr[1] ") and "{minutes}" in line]
    path.write_text(source.replace(form_1, form_1 + "\nmsgstr[2] " + form_1.split(" ", 1)[1], 1), encoding="utf-8")
    [problem] = locale_problems(locales.root)
    assert str(problem).startswith(f"{path}:")
    assert problem.message.startswith("cannot read: msg has more translations than num_plurals of catalog")
    path.write_text(source.replace(form_1 + "\n", "", 1), encoding="utf-8")  # one form too few
    assert locales.problems() == ["home.duration msgstr[1] (other): empty: every plural form of Türkçe needs a "
                                  "text, or leave them all empty for French"]


def test_a_plural_entry_stays_plural(locales):
    locales.edit("en", "app", msgid="Environ {minutes} minutes", home__duration="About {minutes} minutes")
    assert locales.problems() == ["home.duration: a plural entry in French (msgid_plural, msgstr[0..n-1]): "
                                  "the translation needs the same"]


def test_a_plural_forms_header_that_is_not_cldrs(locales):
    path = locales.path("en", "app")
    path.write_text(path.read_text(encoding="utf-8").replace("plural=(n != 1);", "plural=(n > 1);"),
                    encoding="utf-8")
    assert locales.problems() == [
        "Plural-Forms « nplurals=2; plural=(n > 1); » is not CLDR's for en: write « nplurals=2; plural=(n != 1); » "
        "(babel.messages.plurals.get_plural)"]


def test_an_unknown_language_folder(locales):
    locales.edit("de", "app", step__next="Weiter")
    [problem] = locale_problems(locales.root)
    assert problem.message.startswith("unknown language folder « de »: the kiosk speaks fr, ar, en, pt, es, tr")


def test_a_broken_po_file_gives_one_plain_line_with_file_and_line(locales):
    path = locales.path("es", "app")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(30, "esto no es po")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = locale_problems(locales.root)
    assert (problem.file, problem.line) == (path, 31)
    assert str(problem) == f"{path}:31: [locale] cannot read: Unknown or misformatted keyword on 30"


def test_msgfmt_finds_what_babel_reads_past(locales):
    if not shutil.which("msgfmt"):
        pytest.skip("msgfmt is not installed (apt package gettext)")
    path = locales.path("pt", "app")
    source = path.read_text(encoding="utf-8")
    # An unterminated string: Babel drops the entry without a word, msgfmt names the line.
    path.write_text(source.replace('msgstr "Seguinte"', 'msgstr "Seguinte'), encoding="utf-8")
    assert [(p.file, p.message) for p in locale_problems(locales.root)] == [
        (path, "msgfmt: end-of-line within string")]


def test_a_stale_translation_is_reported_and_shown_in_french(locales):
    locales.edit("en", "app", msgid="Suivant (ancien)", step__next="Next")
    assert locales.problems() == ["step.next: stale: the French changed; translation to check "
                                  "(French now « Suivant »): translate it again and copy the French into msgid"]
    assert "step.next" in locale_fallbacks(locales.root)["en"]


def test_an_empty_or_fuzzy_translation_is_listed_as_shown_in_french(locales):
    locales.edit("es", "app", step__next="")
    path = locales.path("tr", "app")
    fuzzy = path.read_text(encoding="utf-8").replace('msgctxt "step.previous"', '#, fuzzy\nmsgctxt "step.previous"')
    path.write_text(fuzzy, encoding="utf-8")
    assert locales.problems() == []
    fallbacks = locale_fallbacks(locales.root)
    assert (fallbacks["es"], fallbacks["tr"]) == (["step.next"], ["step.previous"])


def test_french_msgstr_repeats_its_msgid(locales):
    locales.edit("fr", "app", msgid="Suivant", step__next="Continuer")
    assert locales.problems() == ["step.next: in French, msgstr repeats msgid (French is the reference)"]


def test_a_key_in_two_files(locales):
    locales.edit("en", "browse", step__next="Next")
    assert locales.problems() == ["step.next: key already in app.po: a key belongs to one file"]


def test_an_entry_without_msgctxt(locales):
    locales.edit("en", "app", step__next=None)
    path = locales.path("en", "app")
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "Suivant"\nmsgstr "Next"\n', encoding="utf-8")
    assert locales.problems() == ["Suivant: no msgctxt: each entry's msgctxt is the key the code asks for"]


def test_a_json_catalog_left_behind(locales):
    (locales.root / "en" / "app.json").write_text('{"step.next": "Next"}', encoding="utf-8")
    [problem] = locales.problems()
    assert problem.startswith("a JSON catalog is not read any more (issue 15)")


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
    locales.edit("pt", "app", step__next=None, home__duration=None)
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


def test_cli_refuses_a_button_word_wider_than_its_button(locales, capsys):
    locales.edit("es", "app", bar__listen="Escucharlotodoentero")
    assert main(["content", "validate", "--locales", str(locales.root)]) == 1
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "[locale-fit]" in line]
    assert line.startswith(f"{locales.root / 'es'}:") and "bar.listen: « Escucharlotodoentero »" in line
