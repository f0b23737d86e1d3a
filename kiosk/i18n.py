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
import string
from pathlib import Path

from kiosk.config import ASSETS_DIR
from kiosk.languages import BY_CODE, is_staff_key

log = logging.getLogger(__name__)
LOCALES_DIR = ASSETS_DIR / "locales"
REFERENCE = "fr"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _million(n: float) -> bool:
    """CLDR's « many » for fr, es, pt: a whole, non-zero number of millions (compact
    exponent e = 0 here: the kiosk never writes « 1,2 M »)."""
    return n == int(n) and n != 0 and int(n) % 1_000_000 == 0


def plural_category(language: str, count: float) -> str:
    """The CLDR plural category of count in language.

    The rules of CLDR's supplemental/plurals.xml (unicode-org/cldr, also in Babel's data),
    for numbers as the kiosk writes them: integers, or decimals whose visible fraction
    digits are those of Python's repr (1.0 counts as the integer 1).
      fr  one: i = 0,1                  many: e = 0 and i != 0 and i % 1000000 = 0 and v = 0
      pt  pt_PT, not pt (Brazil): one: i = 1 and v = 0    many: as fr
      es  one: n = 1                    many: as fr
      en  one: i = 1 and v = 0
      tr  one: n = 1
      ar  zero: n = 0, one: n = 1, two: n = 2, few: n % 100 = 3..10, many: n % 100 = 11..99
    Everything else is « other ». tests/core/test_i18n.py checks these against Babel.
    """
    n = abs(count)
    whole = n == int(n)
    if language == "fr":
        return "many" if _million(n) else "one" if n < 2 else "other"  # i = 0,1: « 1,5 essai »
    if language == "ar":
        if not whole:
            return "other"
        i = int(n)
        if i in (0, 1, 2):
            return ("zero", "one", "two")[i]
        return "few" if 3 <= i % 100 <= 10 else "many" if i % 100 >= 11 else "other"
    if language in ("pt", "es"):
        return "one" if n == 1 else "many" if _million(n) else "other"
    return "one" if n == 1 else "other"  # en, tr, and the default for any other language


class Catalog:
    def __init__(self, language: str = REFERENCE, locales_dir: Path = LOCALES_DIR):
        self.language = language
        self._rtl = language in BY_CODE and BY_CODE[language].direction == "rtl"
        self._reference = self._load(locales_dir / REFERENCE)
        # The language's own texts; a key it lacks is taken, whole, from French.
        self._own = self._reference if language == REFERENCE else self._translated(locales_dir / language)

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

    @classmethod
    def _translated(cls, folder: Path) -> dict[str, str]:
        """A translation without its staff texts: those stay in French (kiosk.languages)."""
        texts = cls._load(folder) if folder.is_dir() else {}
        staff = sorted(key for key in texts if is_staff_key(key))
        if staff:
            log.error("%s: staff texts stay in French, ignored: %s", folder, ", ".join(staff))
        return {key: text for key, text in texts.items() if not is_staff_key(key)}

    def keys(self) -> set[str]:
        """Every French key, and the base name of each plural key (« x » for x_one, x_other)."""
        keys = set(self._reference)
        return keys | {key.removesuffix("_other") for key in keys if key.endswith("_other")}

    def __call__(self, key: str, **params: object) -> str:
        text = self._text(self._own, self.language, key, params)
        if text is None and self._own is not self._reference:
            text = self._text(self._reference, REFERENCE, key, params)
        if text is None:
            # A missing key is a bug, but the visitor must still see something sensible.
            log.error("missing translation key %s", key)
            return key
        if not params:
            return text
        try:
            return self._fill(text, params)
        except (KeyError, IndexError, ValueError) as e:
            french = self._text(self._reference, REFERENCE, key, params)
            if french is None or french is text:
                raise
            # A broken translation (the validator names it) must not break the screen.
            log.error("%s: %s: cannot fill in the text (%s): French shown instead",
                      self.language, key, type(e).__name__)
            return self._fill(french, params)

    def _fill(self, text: str, params: dict[str, object]) -> str:
        return _ISOLATING.vformat(text, (), params) if self._rtl else text.format(**params)

    @staticmethod
    def _text(texts: dict[str, str], language: str, key: str, params: dict[str, object]) -> str | None:
        """key's text in texts, or its plural variant for params["count"] by language's rule."""
        text = texts.get(key)
        if text is not None:
            return text
        other = texts.get(f"{key}_other")
        if other is None:
            return None
        count = params.get("count")
        if not isinstance(count, (int, float)) or isinstance(count, bool):
            log.error("translation key %s needs a count (a number) to choose its plural form", key)
            return other
        return texts.get(f"{key}_{plural_category(language, count)}", other)


class Translator:
    """The screens' t(): one object that keeps its identity while the visitor changes the
    language mid-visit (kiosk/app.py holds on to it). Each language's catalog is read once."""

    def __init__(self, language: str = REFERENCE, locales_dir: Path = LOCALES_DIR):
        self._locales_dir = locales_dir
        self._catalogs: dict[str, Catalog] = {}
        self._current = self._catalog(language)

    def _catalog(self, language: str) -> Catalog:
        if language not in self._catalogs:
            self._catalogs[language] = Catalog(language, self._locales_dir)
        return self._catalogs[language]

    @property
    def language(self) -> str:
        return self._current.language

    def use(self, language: str) -> None:
        self._current = self._catalog(language)

    def keys(self) -> set[str]:
        return self._current.keys()

    def __call__(self, key: str, **params: object) -> str:
        return self._current(key, **params)


class _Isolating(string.Formatter):
    """Fills each placeholder inside a first-strong isolate (FSI … PDI, Unicode bidi UAX #9).

    In right-to-left text, what fills a placeholder must keep its own order: without an
    isolate, a phone number « 06 12 34 56 78 » in an Arabic sentence shows as
    « 78 56 34 12 06 », since spaces between numbers take the paragraph's direction. The
    isolate takes the direction of its first letter (Latin: left to right; Arabic: right to
    left; digits only: left to right). Bidi engines (FriBidi under raqm) never draw it."""

    def format_field(self, value: object, format_spec: str) -> str:
        return f"\u2068{super().format_field(value, format_spec)}\u2069"


_ISOLATING = _Isolating()


def _plural_base_of(key: str) -> str | None:
    """« x » for a plural variant key « x_few », None for a plain key."""
    base, _, category = key.rpartition("_")
    return base if base and category in PLURAL_CATEGORIES else None


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
