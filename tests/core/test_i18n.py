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
    return {k for k in keys if not k.endswith((".kv", ".py", ".json"))}  # file names are not keys


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
