"""The translation layer: every visitor-facing string comes from a locale catalog.

A language's catalog is the folder assets/locales/<lang>/: flat JSON files mapping a key
to a text with optional {placeholders}, one file per part of the app (app.json,
receipt.json, …) so that each part keeps its own strings. A key may appear in one file
only. French is the reference and must be complete; another language falls back to
French for a key it lacks.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.config import ASSETS_DIR

log = logging.getLogger(__name__)
LOCALES_DIR = ASSETS_DIR / "locales"
REFERENCE = "fr"


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
        return set(self._reference)

    def __call__(self, key: str, **params: object) -> str:
        try:
            text = self._texts[key]
        except KeyError:
            # A missing key is a bug, but the visitor must still see something sensible.
            log.error("missing translation key %s", key)
            return key
        return text.format(**params) if params else text


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
