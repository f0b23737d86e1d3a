"""Every translation key the code and the kv files use exists in the French catalog."""

import re
from pathlib import Path

import pytest

from kiosk.i18n import Catalog

REPO = Path(__file__).resolve().parents[2]
# t("key"), app.t('key'), self.t("key", …), key literals handed to t() later.
CALL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
KEY_LITERAL = re.compile(r"""["']((?:summary|print|help|home|step|field|idle|attract|bar|app|receipt|helpcall|conseiller)\.[a-z0-9_]+)["']""")


def used_keys():
    keys = set()
    for folder in ("kiosk", "screens", "hardware"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".kv"):
                text = path.read_text(encoding="utf-8")
                keys |= set(CALL.findall(text)) | set(KEY_LITERAL.findall(text))
    return {k for k in keys if not k.endswith((".kv", ".py", ".json"))}  # file names are not keys


def test_the_scan_finds_keys():
    assert {"step.next", "summary.print", "print.done", "help.called"} <= used_keys()


@pytest.mark.parametrize("key", sorted(used_keys()))
def test_key_exists_in_french(key):
    assert key in Catalog("fr").keys(), f"{key} is used but missing from assets/locales/fr/"


def test_a_missing_key_shows_the_key_and_logs_an_error(caplog):
    assert Catalog("fr")("no.such_key") == "no.such_key"
    assert "missing translation key no.such_key" in caplog.text
