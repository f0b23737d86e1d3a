"""The translation layer: every visitor-facing string comes from a locale catalog.

A language's catalog is the folder assets/locales/<lang>/: flat JSON files mapping a key
to a text with optional {placeholders}, one file per part of the app (app.json,
receipt.json, …) so that each part keeps its own strings. A key may appear in one file
only. French is the reference and must be complete; another language falls back to
French for a key it lacks.

Plural forms: a text that depends on a number is written as variants of one key, named
after the CLDR plural categories, `key_one` and `key_other` (and `key_zero`, `_two`, `_few`,
`_many` for languages that have them). Ask for the base key with a `count` parameter and
the language's rule picks the variant: t("conseiller.pin_wrong_left", count=1, attempts=1)
gives « … Encore 1 essai. ». A missing variant falls back to `_other`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.config import ASSETS_DIR

log = logging.getLogger(__name__)
LOCALES_DIR = ASSETS_DIR / "locales"
REFERENCE = "fr"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def plural_category(language: str, count: float) -> str:
    """The CLDR plural category of count in language (integer rules; enough for the kiosk)."""
    n = abs(count)
    if language == "fr":
        return "one" if n < 2 else "other"  # « 0 essai », « 1 essai », « 2 essais »
    if language == "ar":
        whole = int(n)
        if n != whole:
            return "other"
        if whole in (0, 1, 2):
            return ("zero", "one", "two")[whole]
        return "few" if 3 <= whole % 100 <= 10 else "many" if whole % 100 >= 11 else "other"
    return "one" if n == 1 else "other"  # English, German, Spanish, Italian, Dutch, …


class Catalog:
    def __init__(self, language: str = REFERENCE, locales_dir: Path = LOCALES_DIR):
        self.language = language
        self._reference = self._load(locales_dir / REFERENCE)
        self._texts = self._reference if language == REFERENCE else {
            **self._reference, **self._load(locales_dir / language)}

    @staticmethod
    def _load(folder: Path) -> dict[str, str]:
        texts: dict[str, str] = {}
        for path in sorted(folder.glob("*.json")):
            with path.open(encoding="utf-8") as f:
                part = json.load(f)
            twice = texts.keys() & part.keys()
            if twice:
                raise ValueError(f"{path}: keys already defined in another file: {', '.join(sorted(twice))}")
            texts.update(part)
        return texts

    def keys(self) -> set[str]:
        """Every French key, and the base name of each plural key (« x » for x_one, x_other)."""
        keys = set(self._reference)
        return keys | {key.removesuffix("_other") for key in keys if key.endswith("_other")}

    def __call__(self, key: str, **params: object) -> str:
        text = self._texts.get(key)
        if text is None:
            text = self._plural_text(key, params)
        if text is None:
            # A missing key is a bug, but the visitor must still see something sensible.
            log.error("missing translation key %s", key)
            return key
        return text.format(**params) if params else text

    def _plural_text(self, key: str, params: dict[str, object]) -> str | None:
        other = self._texts.get(f"{key}_other")
        if other is None:
            return None
        count = params.get("count")
        if not isinstance(count, (int, float)) or isinstance(count, bool):
            log.error("translation key %s needs a count (a number) to choose its plural form", key)
            return other
        return self._texts.get(f"{key}_{plural_category(self.language, count)}", other)


_catalog: Catalog | None = None


def t(key: str, **params: object) -> str:
    """Translate key in the current language."""
    global _catalog
    if _catalog is None:
        _catalog = Catalog()
    return _catalog(key, **params)


def set_language(language: str) -> None:
    global _catalog
    _catalog = Catalog(language)
