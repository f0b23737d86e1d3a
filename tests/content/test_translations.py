"""Procedure translations: loaded beside the French pack, matched against it, laid over it
key by key; a mismatch is one problem line, an older French source a warning."""

import subprocess
import sys

import pytest

from kiosk.config import REPO_ROOT
from kiosk.content import translations
from kiosk.content.loader import ContentError, load_pack
from kiosk.content.search import SearchIndex
from tests.content.test_bounds import validate_in_child

# The one small translation the tests need (the real ones are the translators').
TRANSLATION = """\
id: essai
lang: en
source_sha256: {sha}
review: machine
title: Make a test
summary: You make a test. It is simple.
keywords: [trial, rehearsal]
before_you_start:
  - Your phone.
links:
  - Service Public website
steps:
  intro:
    title: What you will do
    text: |
      First short sentence.
  question:
    title: Do you have an account?
    choices: ["Yes", "No"]
  fin:
    todo: [Come back tomorrow.]
"""

CATEGORIES = """\
lang: en
review: machine
categories: {papiers: "ID card and passport"}
"""


def write_translation(pack, text=None, lang="en", name="essai.yaml"):
    folder = pack.root / "translations" / lang
    folder.mkdir(parents=True, exist_ok=True)
    sha = translations.source_sha256((pack.root / "procedures" / "essai.yaml").read_bytes())
    path = folder / name
    path.write_text((TRANSLATION if text is None else text).replace("{sha}", sha), encoding="utf-8")
    return path


def problems(root):
    with pytest.raises(ContentError) as err:
        load_pack(root, strict=True)
    return err.value.problems


def test_a_translation_is_laid_over_the_french_procedure_key_by_key(pack):
    write_translation(pack)
    loaded = load_pack(pack.root, strict=True)
    en = loaded.procedure_in("essai", "en")
    assert (en.title, en.language, en.older_source, en.review) == ("Make a test", "en", False, "machine")
    assert en.step("intro").text.strip() == "First short sentence."
    assert [c.label for c in en.step("question").choices] == ["Yes", "No"]
    # Where the visitor goes stays the French file's.
    assert [c.next for c in en.step("question").choices] == ["oui", "non"]
    assert en.links[0].url == "https://www.service-public.fr" and en.links[0].label == "Service Public website"
    # Not translated: taken from French, text by text.
    assert en.step("oui").title == "Vous avez un compte"
    assert en.step("intro").image_alt.startswith("La page d'accueil")
    assert en.step("fin").todo == ("Come back tomorrow.",) and en.step("fin").title == "La suite"
    # The French procedure is untouched (its step index included).
    fr = loaded.procedures["essai"]
    assert fr.title == "Faire un essai" and fr.step("intro").title == "Ce que vous allez faire"
    assert loaded.procedure_in("essai", "fr") is fr


def test_the_kiosk_lays_a_translation_over_its_procedure_on_first_use_and_the_same_as_the_validator(pack):
    """The kiosk's start (strict=False) checks translations but lays none over its French
    procedure: that waits for the first use, or for lay_over_next between frames."""
    write_translation(pack, TRANSLATION.replace("{sha}", "0123456789abcdef"))
    eager = load_pack(pack.root, strict=True)
    lazy = load_pack(pack.root, strict=False)
    assert lazy.translations == {} and list(lazy.pending) == [("en", "essai")]
    en = lazy.procedure_in("essai", "en")
    assert en == eager.procedure_in("essai", "en") and en.older_source
    assert lazy.pending == {} and lazy.procedure_in("essai", "en") is en  # laid once
    again = load_pack(pack.root, strict=False)
    assert again.lay_over_next() and not again.lay_over_next()
    assert again.translations == eager.translations
    # Not laid over by a use in another language.
    third = load_pack(pack.root, strict=False)
    assert third.procedure_in("essai", "ar") is third.procedures["essai"] and third.pending


def test_a_procedure_without_translation_is_french_and_marked_in_french(pack):
    write_translation(pack)
    loaded = load_pack(pack.root, strict=True)
    ar = loaded.procedure_in("essai", "ar")
    assert ar is loaded.procedures["essai"]
    assert translations.notes(ar, "ar") == (translations.NOTE_IN_FRENCH,)
    assert translations.notes(loaded.procedure_in("essai", "en"), "en") == (translations.NOTE_SITE_IN_FRENCH,)
    assert translations.notes(ar, "fr") == ()


def test_categories_in_the_visits_language_fall_back_to_french(pack):
    write_translation(pack)
    (pack.root / "translations" / "en" / "categories.yaml").write_text(CATEGORIES, encoding="utf-8")
    loaded = load_pack(pack.root, strict=True)
    titles = {c.id: c.title for c in loaded.categories_in("en")}
    assert titles == {"papiers": "ID card and passport", "internet": "Internet et e-mail"}
    assert {c.id: c.title for c in loaded.categories_in("fr")}["papiers"] == "Carte d'identité et passeport"


@pytest.mark.parametrize("old, new, key, what", [
    ("id: essai", "id: autre", "id", "the French file's id is « essai »"),
    ("lang: en", "lang: es", "lang", "in the folder of « en »"),
    ("  question:\n", "  questions:\n", "steps/questions", "no step with this id"),
    ('choices: ["Yes", "No"]', 'choices: ["Yes"]', "steps/question/choices", "1 choices; the French step has 2"),
    ("  - Your phone.\n", "  - Your phone.\n  - A pen.\n", "before_you_start", "2 items; the French file has 1"),
    ("todo: [Come back tomorrow.]", "todo: [Come back., Tomorrow.]", "steps/fin/todo", "2 items"),
    ("  fin:\n", "  oui:\n    link: {label: Site}\n  fin:\n", "steps/oui/link", "the French step has no link"),
])
def test_a_mismatch_is_one_problem_line_with_file_key_and_what(pack, old, new, key, what):
    path = write_translation(pack, TRANSLATION.replace(old, new))
    found = problems(pack.root)
    assert len(found) == 1, found
    assert found[0].file == path and found[0].rule == "translation-match"
    assert found[0].message.startswith(f"{key}: ") and what in found[0].message


def test_an_unquoted_yes_says_to_quote_it(pack):
    write_translation(pack, TRANSLATION.replace('["Yes", "No"]', "[Yes, No]"))
    found = problems(pack.root)
    assert {p.rule for p in found} == {"schema"} and "put the text in quotes" in found[0].message


def test_the_kiosk_starts_with_a_broken_translation_and_shows_french(pack):
    write_translation(pack, TRANSLATION.replace("id: essai", "id: autre"))
    loaded = load_pack(pack.root, strict=False)
    assert loaded.procedure_in("essai", "en").language == "fr"


def test_an_older_french_source_is_a_warning_and_the_translation_still_shows(pack):
    write_translation(pack, TRANSLATION.replace("{sha}", "0123456789abcdef"))
    loaded = load_pack(pack.root, strict=True)
    en = loaded.procedure_in("essai", "en")
    assert en.title == "Make a test" and en.older_source
    assert translations.notes(en, "en") == (translations.NOTE_SITE_IN_FRENCH, translations.NOTE_OLDER_SOURCE)
    assert [w.rule for w in loaded.warnings] == ["translation-older", "translation-fallback"]
    assert "translated from an older French text" in loaded.warnings[0].message
    done = subprocess.run([sys.executable, "-m", "kiosk", "content", "validate", str(pack.root)],
                          capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
                          env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "translated from an older French text" in done.stderr
    assert "1 translations, 1 from an older French text" in done.stdout


def test_translations_are_bounded_like_french_files(pack):
    path = write_translation(pack, TRANSLATION.replace("title: Make a test", "title: &t Make a test\nsummary2: *t"))
    found = problems(pack.root)
    assert [(p.file, p.rule) for p in found] == [(path, "yaml")] and "aliases" in found[0].message
    path.unlink()
    fifo = pack.root / "translations" / "en" / "essai.yaml"
    import os
    os.mkfifo(fifo)
    done, took_s = validate_in_child(pack.root)
    assert done.returncode == 1 and took_s < 20
    assert "essai.yaml" in done.stderr and "regular" in done.stderr


def test_search_finds_by_the_translated_words_and_by_french(pack):
    write_translation(pack)
    loaded = load_pack(pack.root, strict=True)
    english = SearchIndex(loaded, "en")
    assert [p.title for p in english.search("rehearsal")] == ["Make a test"]
    assert [p.title for p in english.search("essai")] == ["Make a test"]
    assert SearchIndex(loaded).search("rehearsal") == []


@pytest.fixture(scope="module")
def shipped():
    from kiosk.config import ASSETS_DIR
    return load_pack(ASSETS_DIR / "content", strict=True)


@pytest.mark.parametrize("lang", ["ar", "en", "pt", "es", "tr"])
def test_the_shipped_categories_are_translated_in_every_language(shipped, lang):
    loaded = shipped
    french = {c.id: c.title for c in loaded.categories}
    translated = {c.id: c.title for c in loaded.categories_in(lang)}
    assert translated.keys() == french.keys()
    assert [cid for cid in french if translated[cid] == french[cid]] == []


def test_the_validator_lists_the_texts_a_translation_leaves_in_french(pack):
    write_translation(pack)
    loaded = load_pack(pack.root, strict=True)
    (fallback,) = [w for w in loaded.warnings if w.rule == "translation-fallback"]
    # The fixture translates intro, question, fin's todo, and nothing of oui, non, fin's title.
    assert fallback.message == ("6 text(s) shown in French: steps/intro/image_alt, steps/oui/title, "
                                "steps/oui/text, steps/non/title, steps/non/text, steps/fin/title")
