"""Every translation key the code and the kv files use exists in the French catalog."""

import re
from pathlib import Path

import pytest

from kiosk.i18n import Catalog

REPO = Path(__file__).resolve().parents[2]
# t("key"), app.t('key'), self.t("key", …), key literals handed to t() later.
CALL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
KEY_PREFIXES = "summary|print|help|home|step|field|idle|attract|bar|app|receipt|helpcall|conseiller"
KEY_LITERAL = re.compile(rf"""["']((?:{KEY_PREFIXES})\.[a-z0-9_]+)["']""")


def used_keys():
    keys = set()
    for folder in ("kiosk", "screens", "hardware"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".kv"):
                text = path.read_text(encoding="utf-8")
                keys |= set(CALL.findall(text)) | set(KEY_LITERAL.findall(text))
    # File names are not keys, nor are key prefixes (kiosk/languages.py: « helpcall.ack_ »).
    return {k for k in keys if not k.endswith((".kv", ".py", ".json", "_"))}


def test_the_scan_finds_keys():
    assert {"step.next", "summary.print", "print.done", "help.title_delivered"} <= used_keys()


@pytest.mark.parametrize("key", sorted(used_keys()))
def test_key_exists_in_french(key):
    assert key in Catalog("fr").keys(), f"{key} is used but missing from assets/locales/fr/"


def test_a_missing_key_shows_the_key_and_logs_an_error(caplog):
    assert Catalog("fr")("no.such_key") == "no.such_key"
    assert "missing translation key no.such_key" in caplog.text


# ----- catalogs written for a test: <root>/<lang>/LC_MESSAGES/a.po ----------------------------
FRENCH = {"x.tries": ("Encore {count} essai.", "Encore {count} essais."), "x.plain": "Bonjour {name}"}


def po_quote(text):
    import json
    return json.dumps(text, ensure_ascii=False)


def write_catalog(root, code, texts, plural_forms=None, french=FRENCH, part="a"):
    """A .po written by hand (not by Babel, which the loader uses): key -> text, a plural
    key's text a tuple of forms; msgids are the French texts (french), msgstr in French
    are the msgids. plural_forms: the header (default: Babel's for the language)."""
    from babel.messages.plurals import get_plural

    from kiosk.languages import BY_CODE
    cldr = BY_CODE[code].cldr if code in BY_CODE else code
    header = plural_forms or get_plural(cldr).plural_forms
    lines = ['msgid ""', 'msgstr ""', f'"Language: {cldr}\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"',
             f'"Plural-Forms: {header}\\n"', ""]
    for key, own in texts.items():
        source = french.get(key, own)
        lines.append(f"msgctxt {po_quote(key)}")
        if isinstance(source, tuple):
            lines += [f"msgid {po_quote(source[0])}", f"msgid_plural {po_quote(source[1])}"]
            lines += [f"msgstr[{i}] {po_quote(form)}" for i, form in enumerate(own)]
        else:
            lines += [f"msgid {po_quote(source)}", f"msgstr {po_quote(own)}"]
        lines.append("")
    folder = root / code / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{part}.po").write_text("\n".join(lines), encoding="utf-8")
    return folder / f"{part}.po"


def french_catalog(root):
    one, other = FRENCH["x.tries"]
    return write_catalog(root, "fr", {"x.tries": (one, other, other), "x.plain": FRENCH["x.plain"]})


def plural_catalog(tmp_path, other_language=None):
    french_catalog(tmp_path)
    if other_language:
        write_catalog(tmp_path, other_language, {"x.tries": ("{count} try left.", "{count} tries left.")})
    return Catalog(other_language or "fr", locales_dir=tmp_path, cache_dir=tmp_path / "cache")


# ----- plural forms ---------------------------------------------------------------------------
@pytest.mark.parametrize("count, text", [(0, "Encore 0 essai."), (1, "Encore 1 essai."),
                                         (2, "Encore 2 essais."), (5, "Encore 5 essais.")])
def test_french_plural_follows_the_count(tmp_path, count, text):
    assert plural_catalog(tmp_path)("x.tries", count=count) == text


@pytest.mark.parametrize("count, text", [(0, "0 tries left."), (1, "1 try left."), (2, "2 tries left.")])
def test_another_language_has_its_own_plural_rule(tmp_path, count, text):
    assert plural_catalog(tmp_path, "en")("x.tries", count=count) == text


def test_plural_keys_are_known_by_their_msgctxt_and_plain_keys_still_work(tmp_path):
    t = plural_catalog(tmp_path)
    assert t.keys() == {"x.tries", "x.plain"}
    assert t("x.plain", name="Léa") == "Bonjour Léa"


def test_a_plural_key_without_a_count_uses_the_other_form_and_logs(tmp_path, caplog):
    assert plural_catalog(tmp_path)("x.tries") == "Encore {count} essais."
    assert "x.tries needs a count" in caplog.text


def test_the_plural_forms_header_of_the_file_decides_not_the_code(tmp_path):
    french_catalog(tmp_path)
    english = {"x.tries": ("{count} try left.", "{count} tries left.")}
    write_catalog(tmp_path, "en", english)
    assert Catalog("en", tmp_path, tmp_path / "cache")("x.tries", count=0) == "0 tries left."
    # The same file with the French formula (0 takes the first form): the choice follows it.
    write_catalog(tmp_path, "en", english, plural_forms="nplurals=2; plural=(n > 1);")
    assert Catalog("en", tmp_path, tmp_path / "cache")("x.tries", count=0) == "0 try left."


def test_a_shipped_header_edited_in_a_copy_changes_the_form(tmp_path):
    import shutil

    from kiosk.i18n import LOCALES_DIR
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    assert Catalog("en", tmp_path / "locales", tmp_path / "cache")("home.duration", count=0, minutes=0) == \
        "About 0 minutes"
    app = tmp_path / "locales" / "en" / "LC_MESSAGES" / "app.po"
    source = app.read_text(encoding="utf-8")
    assert "plural=(n != 1);" in source
    app.write_text(source.replace("plural=(n != 1);", "plural=(n > 1);"), encoding="utf-8")
    assert Catalog("en", tmp_path / "locales", tmp_path / "cache")("home.duration", count=0, minutes=0) == \
        "About 0 minute"


@pytest.mark.parametrize("count, index", [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5),
                                          (102, 5), (103, 3)])
def test_arabic_formula_of_the_catalog_picks_each_of_its_six_forms(tmp_path, count, index):
    french_catalog(tmp_path)
    write_catalog(tmp_path, "ar", {"x.tries": tuple(f"form {i} {{count}}" for i in range(6))})
    shown = Catalog("ar", tmp_path, tmp_path / "cache")("x.tries", count=count)
    assert shown == f"form {index} \u2068{count}\u2069"


@pytest.mark.parametrize("count, index", [(0, 0), (1, 0), (2, 2), (1_000_000, 1)])
def test_french_formula_of_the_catalog_picks_its_form(tmp_path, count, index):
    write_catalog(tmp_path, "fr", {"x.tries": ("one {count}", "many {count}", "other {count}")},
                  french={"x.tries": ("one {count}", "other {count}")})
    assert Catalog("fr", tmp_path, tmp_path / "cache")("x.tries", count=count) == \
        ("one", "many", "other")[index] + f" {count}"


@pytest.mark.parametrize("count, text", [(1, "Code faux. Encore 1 essai."), (2, "Code faux. Encore 2 essais.")])
def test_the_pad_says_essai_for_one_try(count, text):
    assert Catalog("fr")("conseiller.pin_wrong_left", count=count, attempts=count) == text


@pytest.mark.parametrize("count, text", [(1, "Trop d'essais\u00a0: réessayez dans 1 minute"),
                                         (5, "Trop d'essais\u00a0: réessayez dans 5 minutes")])
def test_the_lockout_says_minute_for_one_minute(count, text):
    assert Catalog("fr")("conseiller.pin_locked", count=count, minutes=count) == text


# ----- translations: fallbacks never mix languages, never crash -----------------------------
def test_an_empty_msgstr_shows_the_french_text(tmp_path):
    french_catalog(tmp_path)
    write_catalog(tmp_path, "en", {"x.plain": "", "x.tries": ("", "")})
    catalog = Catalog("en", tmp_path, tmp_path / "cache")
    assert catalog("x.plain", name="Léa") == "Bonjour Léa"
    assert catalog("x.tries", count=0) == "Encore 0 essai."  # French text, French rule


def test_a_stale_translation_shows_the_french_text(tmp_path):
    # The French changed after the translation: its msgid is the old French.
    french_catalog(tmp_path)
    write_catalog(tmp_path, "en", {"x.plain": "Hello {name}"}, french={"x.plain": "Salut {name}"})
    assert Catalog("en", tmp_path, tmp_path / "cache")("x.plain", name="Léa") == "Bonjour Léa"


def test_a_translation_missing_one_plural_form_uses_its_own_other_not_french(tmp_path):
    french_catalog(tmp_path)
    write_catalog(tmp_path, "en", {"x.tries": ("", "{count} tries left.")})
    assert Catalog("en", tmp_path, tmp_path / "cache")("x.tries", count=1) == "1 tries left."


def test_a_plural_key_missing_from_a_translation_falls_back_to_french_with_the_french_rule(tmp_path):
    french_catalog(tmp_path)
    write_catalog(tmp_path, "ar", {"x.plain": "مرحبا {name}"})
    # Arabic calls 0 « zero », French calls it « one »: the French text must say « essai ».
    shown = Catalog("ar", tmp_path, tmp_path / "cache")("x.tries", count=0)
    assert shown.replace("\u2068", "").replace("\u2069", "") == "Encore 0 essai."


def test_a_translation_with_an_unknown_placeholder_shows_french_and_logs(tmp_path, caplog):
    french_catalog(tmp_path)
    write_catalog(tmp_path, "en", {"x.plain": "Hello {nom}"})
    assert Catalog("en", tmp_path, tmp_path / "cache")("x.plain", name="Léa") == "Bonjour Léa"
    assert "en: x.plain: cannot fill in the text" in caplog.text
    assert "Léa" not in caplog.text  # what goes into a text may be personal: never logged


def test_a_broken_translation_file_shows_french_and_logs_one_line_naming_it(tmp_path, caplog):
    french_catalog(tmp_path)
    po = write_catalog(tmp_path, "en", {"x.plain": "Hello {name}"})
    po.write_text(po.read_text(encoding="utf-8") + "\nthis is not po\n", encoding="utf-8")
    assert Catalog("en", tmp_path, tmp_path / "cache")("x.plain", name="Léa") == "Bonjour Léa"
    [line] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert line.startswith(f"{po}:") and "French shown instead" in line


def test_a_broken_french_file_stops_the_catalog_with_its_line(tmp_path):
    po = french_catalog(tmp_path)
    po.write_text(po.read_text(encoding="utf-8") + "\nthis is not po\n", encoding="utf-8")
    line = po.read_text(encoding="utf-8").splitlines().index("this is not po") + 1
    with pytest.raises(ValueError, match=f"^{po}:{line}: "):
        Catalog("fr", tmp_path, tmp_path / "cache")


def test_a_key_in_two_files_is_refused(tmp_path):
    french_catalog(tmp_path)
    write_catalog(tmp_path, "fr", {"x.plain": "Bonjour"}, part="b")
    with pytest.raises(ValueError, match="keys already defined in a.po: x.plain"):
        Catalog("fr", tmp_path, tmp_path / "cache")


def test_a_key_in_two_files_of_a_translation_leaves_the_second_file_out(tmp_path, caplog):
    french_catalog(tmp_path)
    write_catalog(tmp_path, "en", {"x.plain": "Hello {name}"})
    write_catalog(tmp_path, "en", {"x.plain": "Hi {name}"}, part="b")
    assert Catalog("en", tmp_path, tmp_path / "cache")("x.plain", name="Léa") == "Hello Léa"
    assert "b.po: keys already defined in a.po: x.plain: French shown instead" in caplog.text


def test_staff_texts_stay_in_french_whatever_the_visitor_language(tmp_path, caplog):
    staff = {"conseiller.title": "Espace conseiller", "x.plain": "Bonjour"}
    write_catalog(tmp_path, "fr", staff, french=staff)
    write_catalog(tmp_path, "en", {"conseiller.title": "Staff area", "x.plain": "Hello"}, french=staff)
    catalog = Catalog("en", tmp_path, tmp_path / "cache")
    assert (catalog("conseiller.title"), catalog("x.plain")) == ("Espace conseiller", "Hello")
    assert "staff texts stay in French" in caplog.text


def test_the_shipped_catalogs_keep_staff_texts_in_french():
    for code in ("ar", "en", "pt", "es", "tr"):
        catalog = Catalog(code)
        assert catalog("helpcall.message_no_procedure") == "Le visiteur n'a pas encore choisi de démarche."
        assert catalog("conseiller.title") == "Espace conseiller"
        assert catalog("step.next") != Catalog("fr")("step.next")


# ----- compiled catalogs kept between starts ------------------------------------------------
def test_a_compiled_catalog_is_kept_and_read_back_without_babel(tmp_path, monkeypatch):
    import hashlib

    french_catalog(tmp_path)
    cache = tmp_path / "cache"
    assert Catalog("fr", tmp_path, cache)("x.plain", name="Léa") == "Bonjour Léa"
    [mo] = cache.iterdir()
    assert mo.suffix == ".mo" and not any(p.name.startswith(".tmp") for p in cache.iterdir())
    # Named after the .po's bytes: the same .po is read back from the cache, Babel never called.
    import kiosk.i18n
    monkeypatch.setattr(kiosk.i18n, "_compile", lambda *a: pytest.fail("compiled again"))
    assert Catalog("fr", tmp_path, cache)("x.plain", name="Léa") == "Bonjour Léa"
    assert hashlib.sha256(b"1R" + (tmp_path / "fr" / "LC_MESSAGES" / "a.po").read_bytes()).hexdigest() == mo.stem


def test_an_edited_po_is_compiled_again(tmp_path):
    french_catalog(tmp_path)
    cache = tmp_path / "cache"
    Catalog("fr", tmp_path, cache)
    write_catalog(tmp_path, "fr", {"x.plain": "Salut {name}"}, french={"x.plain": "Salut {name}"})
    assert Catalog("fr", tmp_path, cache)("x.plain", name="Léa") == "Salut Léa"
    assert len(list(cache.iterdir())) == 2


def test_a_damaged_cache_file_is_compiled_again(tmp_path, caplog):
    french_catalog(tmp_path)
    cache = tmp_path / "cache"
    Catalog("fr", tmp_path, cache)
    [mo] = cache.iterdir()
    mo.write_bytes(b"not a mo file at all, a damaged one")
    assert Catalog("fr", tmp_path, cache)("x.plain", name="Léa") == "Bonjour Léa"
    assert "unreadable compiled catalog" in caplog.text


def test_a_cache_that_cannot_be_written_compiles_in_memory(tmp_path, caplog):
    import logging
    caplog.set_level(logging.INFO, logger="kiosk.i18n")
    french_catalog(tmp_path)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    assert Catalog("fr", tmp_path, blocked / "cache")("x.plain", name="Léa") == "Bonjour Léa"
    [record] = caplog.records
    assert (record.levelname, record.getMessage().split(" (")[0]) == (
        "INFO", f"cannot keep compiled catalogs in {blocked / 'cache'}")


# ----- plural forms of the shipped catalogs against CLDR (Babel ships the CLDR tables) -------
LANGUAGE_CODES = ("fr", "ar", "en", "pt", "es", "tr")


def shipped_headers(code):
    from babel.messages.pofile import read_po

    from kiosk.i18n import LOCALES_DIR, po_files
    for path in po_files(LOCALES_DIR / code):
        with path.open("rb") as f:
            yield path, read_po(f)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_shipped_plural_forms_are_cldrs_one_form_per_category(code):
    import gettext

    from babel import Locale
    from babel.messages.plurals import get_plural

    from kiosk.languages import language
    rule = Locale.parse(language(code).cldr).plural_form
    for path, catalog in shipped_headers(code):
        assert catalog.plural_forms == get_plural(language(code).cldr).plural_forms, path
        formula = gettext.c2py(catalog.plural_expr)
        categories = {}
        for n in (*range(0, 1_200), 1_000_000, 2_000_000, 1_000_001):
            categories.setdefault(formula(n), set()).add(rule(n))
        assert all(len(c) == 1 for c in categories.values()), (path, categories)
        assert len(categories) == catalog.num_plurals, path


def test_portuguese_is_european_portuguese():
    # pt_PT says « 0 minutos »; CLDR's plain pt (Brazil) says « 0 minuto ».
    assert "minutos" in Catalog("pt")("home.duration", count=0, minutes=0)
    assert "minutos" not in Catalog("pt")("home.duration", count=1, minutes=1)


@pytest.mark.parametrize("count, text", [(0, "حوالي 0 دقيقة"), (1, "حوالي دقيقة واحدة"), (2, "حوالي دقيقتين"),
                                         (3, "حوالي 3 دقائق"), (5, "حوالي 5 دقائق"), (11, "حوالي 11 دقيقة"),
                                         (100, "حوالي 100 دقيقة")])
def test_arabic_duration_has_all_six_forms(count, text):
    shown = Catalog("ar")("home.duration", count=count, minutes=count)
    assert shown.replace("\u2068", "").replace("\u2069", "") == text


@pytest.mark.parametrize("count, text", [(0, "Environ 0 minute"), (1, "Environ 1 minute"), (2, "Environ 2 minutes")])
def test_french_duration_follows_the_french_formula(count, text):
    assert Catalog("fr")("home.duration", count=count, minutes=count) == text


def test_only_right_to_left_languages_isolate_what_fills_a_placeholder():
    assert Catalog("ar")("help.number", number=12) == "رقمك: \u206812\u2069"
    assert Catalog("en")("help.number", number=12) == "Your number: 12"


# ----- the languages ---------------------------------------------------------------------------
def test_each_language_is_named_in_its_own_script_and_arabic_runs_right_to_left():
    from kiosk.languages import LANGUAGES
    assert [(lang.code, lang.name, lang.direction) for lang in LANGUAGES] == [
        ("fr", "Français", "ltr"), ("ar", "العربية", "rtl"), ("en", "English", "ltr"),
        ("pt", "Português", "ltr"), ("es", "Español", "ltr"), ("tr", "Türkçe", "ltr")]


def test_every_language_has_a_catalog_folder():
    from kiosk.i18n import LOCALES_DIR, po_files
    from kiosk.languages import CODES
    assert sorted(p.name for p in LOCALES_DIR.iterdir() if p.is_dir()) == sorted(CODES)
    assert all(po_files(LOCALES_DIR / code) for code in CODES)
    assert not list(LOCALES_DIR.rglob("*.json")), "the JSON catalogs became .po files (issue 15)"


def test_an_unknown_language_is_named_with_the_allowed_codes():
    from kiosk.languages import language
    with pytest.raises(KeyError, match="unknown language « de »: use one of fr, ar, en, pt, es, tr"):
        language("de")


# ----- [kiosk] language --------------------------------------------------------------------------
def test_the_config_accepts_exactly_the_languages_of_kiosk_languages():
    from typing import get_args, get_type_hints

    from kiosk.config import KioskSection
    from kiosk.languages import CODES
    assert get_args(get_type_hints(KioskSection)["language"]) == CODES


@pytest.mark.parametrize("code", ["ar", "tr"])
def test_a_config_can_choose_a_language(tmp_path, code):
    from kiosk import config
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\nlanguage = "{code}"\n', encoding="utf-8")
    assert config.load(path).kiosk.language == code


def test_an_unknown_language_in_the_config_gives_one_line_with_the_codes(tmp_path):
    from kiosk import config
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nlanguage = "de"\n', encoding="utf-8")
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    assert "[kiosk] language = 'de': must be one of 'fr', 'ar', 'en', 'pt', 'es', 'tr'" in str(err.value)


# ----- right to left: what fills a placeholder keeps its own order ---------------------------
def fribidi_visual(text: str) -> str:
    """The left-to-right display order of text in a right-to-left paragraph, by GNU FriBidi
    (libfribidi0: the bidi engine Pillow's raqm layout uses), an engine independent of ours."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("fribidi")
    if name is None:
        pytest.skip("libfribidi0 is not installed (scripts/setup.sh installs it)")
    lib = ctypes.CDLL(name)
    n = len(text)
    logical, visual = (ctypes.c_uint32 * n)(*map(ord, text)), (ctypes.c_uint32 * n)()
    base = ctypes.c_uint32(0x00000111)  # FRIBIDI_PAR_RTL
    assert lib.fribidi_log2vis(logical, n, ctypes.byref(base), visual, None, None, None)
    return "".join(map(chr, visual))


def test_fribidi_reverses_spaced_digit_groups_in_arabic_which_is_the_hazard():
    assert "01 70 772 372" not in fribidi_visual("اتصل على الرقم 01 70 772 372 مجانًا")


def arabic_keys_with_placeholders():
    from string import Formatter

    for _, catalog in shipped_headers("ar"):
        for message in list(catalog)[1:]:
            plural = message.pluralizable
            names = set()
            for text in (message.string if plural else [message.string]):
                names |= {name for _, name, _, _ in Formatter().parse(text) if name}
            if plural:  # its {count} is the count (« {count} أحرف »), never a text
                names.discard("count")
            if names:
                yield message.context, plural, sorted(names)


@pytest.mark.parametrize("value", ["06 12 34 56 78", "Carte Vitale, 2 pages"])
@pytest.mark.parametrize("key, plural, names", list(arabic_keys_with_placeholders()))
def test_arabic_shows_a_typed_number_or_a_french_title_in_its_own_order(key, plural, names, value):
    # value: a phone number the visitor typed, the help line, a French procedure title.
    text = Catalog("ar")(key, **{name: value for name in names}, **({"count": 7} if plural else {}))
    shown = fribidi_visual(text)
    for invisible in "\u2066\u2067\u2068\u2069":
        shown = shown.replace(invisible, "")
    assert value in shown, shown
