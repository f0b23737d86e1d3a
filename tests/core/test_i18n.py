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


# ----- plural forms ---------------------------------------------------------------------------
def plural_catalog(tmp_path, other_language=None):
    import json
    fr = tmp_path / "fr"
    fr.mkdir()
    (fr / "a.json").write_text(json.dumps({
        "x.tries_one": "Encore {count} essai.", "x.tries_other": "Encore {count} essais.",
        "x.plain": "Bonjour {name}"}), encoding="utf-8")
    if other_language:
        folder = tmp_path / other_language
        folder.mkdir()
        (folder / "a.json").write_text(json.dumps({"x.tries_one": "{count} try left.",
                                                   "x.tries_other": "{count} tries left."}), encoding="utf-8")
    return Catalog(other_language or "fr", locales_dir=tmp_path)


@pytest.mark.parametrize("count, text", [(0, "Encore 0 essai."), (1, "Encore 1 essai."),
                                         (2, "Encore 2 essais."), (5, "Encore 5 essais.")])
def test_french_plural_follows_the_count(tmp_path, count, text):
    assert plural_catalog(tmp_path)("x.tries", count=count) == text


@pytest.mark.parametrize("count, text", [(0, "0 tries left."), (1, "1 try left."), (2, "2 tries left.")])
def test_another_language_has_its_own_plural_rule(tmp_path, count, text):
    assert plural_catalog(tmp_path, "en")("x.tries", count=count) == text


def test_plural_keys_are_known_by_their_base_name_and_plain_keys_still_work(tmp_path):
    t = plural_catalog(tmp_path)
    assert {"x.tries", "x.tries_one", "x.tries_other", "x.plain"} <= t.keys()
    assert t("x.plain", name="Léa") == "Bonjour Léa"


def test_a_plural_key_without_a_count_uses_the_other_form_and_logs(tmp_path, caplog):
    assert plural_catalog(tmp_path)("x.tries") == "Encore {count} essais."
    assert "x.tries needs a count" in caplog.text


@pytest.mark.parametrize("count, text", [(1, "Code faux. Encore 1 essai."), (2, "Code faux. Encore 2 essais.")])
def test_the_pad_says_essai_for_one_try(count, text):
    assert Catalog("fr")("conseiller.pin_wrong_left", count=count, attempts=count) == text


@pytest.mark.parametrize("count, text", [(1, "Trop d'essais\u00a0: réessayez dans 1 minute"),
                                         (5, "Trop d'essais\u00a0: réessayez dans 5 minutes")])
def test_the_lockout_says_minute_for_one_minute(count, text):
    assert Catalog("fr")("conseiller.pin_locked", count=count, minutes=count) == text


# ----- translations: fallbacks never mix languages, never crash -----------------------------
def write_catalog(root, language, texts):
    import json
    folder = root / language
    folder.mkdir(exist_ok=True)
    (folder / "a.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")


FRENCH = {"x.tries_one": "Encore {count} essai.", "x.tries_other": "Encore {count} essais.",
          "x.plain": "Bonjour {name}"}


def test_a_translation_missing_one_plural_variant_uses_its_own_other_not_french(tmp_path):
    write_catalog(tmp_path, "fr", FRENCH)
    write_catalog(tmp_path, "en", {"x.tries_other": "{count} tries left."})
    assert Catalog("en", locales_dir=tmp_path)("x.tries", count=1) == "1 tries left."


def test_a_plural_key_missing_from_a_translation_falls_back_to_french_with_the_french_rule(tmp_path):
    write_catalog(tmp_path, "fr", FRENCH)
    write_catalog(tmp_path, "ar", {"x.plain": "مرحبا {name}"})
    # Arabic calls 0 « zero », French calls it « one »: the French text must say « essai ».
    shown = Catalog("ar", locales_dir=tmp_path)("x.tries", count=0)
    assert shown.replace("\u2068", "").replace("\u2069", "") == "Encore 0 essai."


def test_a_translation_with_an_unknown_placeholder_shows_french_and_logs(tmp_path, caplog):
    write_catalog(tmp_path, "fr", FRENCH)
    write_catalog(tmp_path, "en", {"x.plain": "Hello {nom}"})
    assert Catalog("en", locales_dir=tmp_path)("x.plain", name="Léa") == "Bonjour Léa"
    assert "en: x.plain: cannot fill in the text" in caplog.text
    assert "Léa" not in caplog.text  # what goes into a text may be personal: never logged


def test_staff_texts_stay_in_french_whatever_the_visitor_language(tmp_path, caplog):
    write_catalog(tmp_path, "fr", {"conseiller.title": "Espace conseiller", "x.plain": "Bonjour"})
    write_catalog(tmp_path, "en", {"conseiller.title": "Staff area", "x.plain": "Hello"})
    catalog = Catalog("en", locales_dir=tmp_path)
    assert (catalog("conseiller.title"), catalog("x.plain")) == ("Espace conseiller", "Hello")
    assert "staff texts stay in French" in caplog.text


def test_the_shipped_catalogs_keep_staff_texts_in_french():
    for code in ("ar", "en", "pt", "es", "tr"):
        catalog = Catalog(code)
        assert catalog("helpcall.message_no_procedure") == "Le visiteur n'a pas encore choisi de démarche."
        assert catalog("conseiller.title") == "Espace conseiller"
        assert catalog("step.next") != Catalog("fr")("step.next")


# ----- plural rules against CLDR (Babel ships the CLDR tables) ----------------------------
LANGUAGE_CODES = ("fr", "ar", "en", "pt", "es", "tr")
NUMBERS = [*range(0, 1_200), 1_000_000, 2_000_000, 1_000_001, 0.5, 1.5, 2.5, 3.25]


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_plural_rules_match_cldr(code):
    Locale = pytest.importorskip("babel").Locale

    from kiosk.i18n import plural_category
    from kiosk.languages import language
    rule = Locale.parse(language(code).cldr).plural_form
    wrong = [(n, plural_category(code, n), rule(n)) for n in NUMBERS if plural_category(code, n) != rule(n)]
    assert wrong == []


def test_portuguese_is_european_portuguese():
    from kiosk.i18n import plural_category
    # pt_PT says « 0 minutos »; CLDR's plain pt (Brazil) says « 0 minuto ».
    assert (plural_category("pt", 0), plural_category("pt", 1)) == ("other", "one")


@pytest.mark.parametrize("count, text", [(0, "حوالي 0 دقيقة"), (1, "حوالي دقيقة واحدة"), (2, "حوالي دقيقتين"),
                                         (5, "حوالي 5 دقائق"), (11, "حوالي 11 دقيقة"), (100, "حوالي 100 دقيقة")])
def test_arabic_duration_has_all_six_forms(count, text):
    shown = Catalog("ar")("home.duration", count=count, minutes=count)
    assert shown.replace("\u2068", "").replace("\u2069", "") == text


def test_only_right_to_left_languages_isolate_what_fills_a_placeholder():
    assert Catalog("ar")("help.number", number=12) == "رقمك: \u206812\u2069"
    assert Catalog("en")("help.number", number=12) == "Your number: 12"


# ----- the languages ---------------------------------------------------------------------------
def test_each_language_is_named_in_its_own_script_and_arabic_runs_right_to_left():
    from kiosk.languages import LANGUAGES
    assert [(lang.code, lang.name, lang.direction) for lang in LANGUAGES] == [
        ("fr", "Français", "ltr"), ("ar", "العربية", "rtl"), ("en", "English", "ltr"),
        ("pt", "Português", "ltr"), ("es", "Español", "ltr"), ("tr", "Türkçe", "ltr")]


def test_plural_needed_lists_every_category_a_count_under_a_million_reaches():
    from kiosk.i18n import plural_category
    from kiosk.languages import LANGUAGES
    for lang in LANGUAGES:
        reached = {plural_category(lang.code, n) for n in range(0, 1_000)}
        assert reached == set(lang.plural_needed), lang.code


def test_every_language_has_a_catalog_folder():
    from kiosk.i18n import LOCALES_DIR
    from kiosk.languages import CODES
    assert sorted(p.name for p in LOCALES_DIR.iterdir() if p.is_dir()) == sorted(CODES)


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
    import json
    from string import Formatter

    from kiosk.i18n import LOCALES_DIR, _plural_base_of
    for path in sorted((LOCALES_DIR / "ar").glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            names = {name for _, name, _, _ in Formatter().parse(text) if name}
            if _plural_base_of(key):  # its {count} is the count (« {count} أحرف »), never a text
                names.discard("count")
            if names:
                yield key, sorted(names)


@pytest.mark.parametrize("value", ["06 12 34 56 78", "Carte Vitale, 2 pages"])
@pytest.mark.parametrize("key, names", list(arabic_keys_with_placeholders()))
def test_arabic_shows_a_typed_number_or_a_french_title_in_its_own_order(key, names, value):
    # value: a phone number the visitor typed, the help line, a French procedure title.
    from kiosk.i18n import _plural_base_of
    base = _plural_base_of(key)
    text = Catalog("ar")(base or key, **{name: value for name in names}, **({"count": 7} if base else {}))
    shown = fribidi_visual(text)
    for invisible in "\u2066\u2067\u2068\u2069":
        shown = shown.replace(invisible, "")
    assert value in shown, shown
