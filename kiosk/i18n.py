"""The translation layer: every visitor-facing string comes from a gettext catalog.

A language's catalog is the folder assets/locales/<lang>/LC_MESSAGES/: one .po file per
part of the app (app.po, receipt.po, …; the gettext domain is the part's name), so that
each part keeps its own strings. Each entry's `msgctxt` is the key the code asks for
(t("step.next")), its `msgid` the French text and its `msgstr` the language's text. A key
may appear in one file only. French is the reference and must be complete (msgstr =
msgid). In another language, an empty `msgstr`, a missing entry, a fuzzy one or one whose
msgid is no longer the French text (the French changed: the translation is stale) shows
the French text: gettext's own fallback. `kiosk content validate --locales` lists them.

Plural forms: a text that depends on a number is one entry with `msgid_plural` and one
`msgstr[i]` per form of the language; the `Plural-Forms` header of the .po file (written
from Babel's CLDR data) says which form a number takes. Ask for the key with a `count`
parameter: t("conseiller.pin_wrong_left", count=1, attempts=1) gives « … Encore 1 essai. ».
A text shown in French follows the French formula (« 0 essai »), never the language's.

Each .po is read with Babel and compiled to the .mo form that Python's gettext reads
(GNUTranslations: pgettext, npgettext) at start. Importing Babel and parsing doubled the
catalogs' start-up time (bench/locales_load.py), so each compiled .mo is kept in a cache
folder (MO_CACHE_DIR), named after the sha256 of its .po: a later start reads the .mo and
never imports Babel; an edited .po has another name and is compiled again. Where the cache
cannot be written (a read-only home), the .mo stays in memory.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import io
import logging
import os
import string
import struct
from pathlib import Path

from kiosk.config import ASSETS_DIR
from kiosk.languages import BY_CODE, is_staff_key

log = logging.getLogger(__name__)
LOCALES_DIR = ASSETS_DIR / "locales"
REFERENCE = "fr"
MESSAGES = "LC_MESSAGES"


def _default_cache_dir() -> Path | None:
    """Where compiled .mo files are kept between starts: shipped texts only, nothing a visitor
    typed. None (compile in memory) for a user with no home."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pas-a-pas" / "locales"
    except RuntimeError:
        return None


MO_CACHE_DIR = _default_cache_dir()
# Part of each cached file's name: change it when _compile's output changes for the same .po.
_COMPILE_VERSION = b"1"
# A number whose form is the general one (CLDR « other ») in each of the kiosk's languages:
# the text shown when a plural key is asked for without a count (a bug, logged).
_GENERAL_COUNT = 100


def po_files(language_dir: Path) -> list[Path]:
    """The .po files of one language folder (assets/locales/<lang>), by part name."""
    return sorted((language_dir / MESSAGES).glob("*.po"))


class _Messages(gettext.GNUTranslations):
    """One compiled .po file."""

    @functools.cached_property
    def contexts(self) -> dict[str, str]:
        """msgctxt -> French msgid of every entry it holds (the .mo keys are ctxt EOT msgid)."""
        out = {}
        for entry in self._catalog:
            msgid = entry[0] if isinstance(entry, tuple) else entry
            context, eot, french = msgid.partition("\x04")
            if eot:
                out[context] = french
        return out

    @functools.cached_property
    def plural_contexts(self) -> set[str]:
        return {entry[0].partition("\x04")[0] for entry in self._catalog if isinstance(entry, tuple)}


def _compiled(po: Path, reference: bool, cache_dir: Path | None) -> _Messages:
    """po compiled, from cache_dir when an earlier start compiled the same bytes."""
    try:
        source = po.read_bytes()
    except OSError as e:
        raise ValueError(f"{po}: cannot read: {e}") from None
    digest = hashlib.sha256(_COMPILE_VERSION + (b"R" if reference else b"T") + source).hexdigest()
    cached = cache_dir / f"{digest}.mo" if cache_dir else None
    if cached is not None:
        try:
            with cached.open("rb") as f:
                return _Messages(f)
        except (FileNotFoundError, NotADirectoryError):
            pass  # not compiled yet, or no cache folder
        except (OSError, ValueError, struct.error) as e:  # a damaged cache file: compile again
            log.warning("%s: unreadable compiled catalog (%s): compiled again", cached, type(e).__name__)
    mo = _compile(po, source, reference)
    if cached is not None:
        _store(cached, mo)
    return _Messages(io.BytesIO(mo))


def _store(path: Path, mo: bytes) -> None:
    from kiosk.files import write_atomic  # only when compiling
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, mo, tmp_prefix=".tmp-mo-")
    except OSError as e:
        log.info("cannot keep compiled catalogs in %s (%s): compiled at each start", path.parent, e)


def _compile(po: Path, source: bytes, reference: bool) -> bytes:
    """po's source read with Babel and compiled to .mo bytes; ValueError names the file and line."""
    from babel.messages.mofile import write_mo  # Babel only when compiling
    from babel.messages.pofile import PoFileError, read_po
    try:
        catalog = read_po(io.BytesIO(source), abort_invalid=True)
    except PoFileError as e:
        raise ValueError(f"{po}:{e.lineno + 1}: {e}") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"{po}: cannot read: {e}") from None
    untranslated = []
    for message in list(catalog)[1:]:  # [0] is the header
        if reference:
            # French is its own text, written or not (Babel fills an empty plural form with the msgid).
            message.flags.discard("fuzzy")
            message.string = message.string or message.id
        elif message.pluralizable:
            message.string = _plural_forms(message.string)
            if not message.string:
                untranslated.append(message)
    for message in untranslated:
        catalog.delete(message.id, context=message.context)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    return mo.getvalue()


def _plural_forms(forms: tuple[str, ...]) -> tuple[str, ...]:
    """A plural translation's forms, an empty one replaced by the language's own last form
    (its general one, CLDR « other »), since Babel would put the French msgid there. No
    last form: () for not translated, so that gettext shows the French text."""
    if not forms or not forms[-1]:
        return ()
    return tuple(form or forms[-1] for form in forms)


def _load_language(language_dir: Path, reference: bool, cache_dir: Path | None) -> list[_Messages]:
    """Every part of one language. A part that cannot be read fails French (the kiosk has
    no text without it) and is left out of a translation (French is shown instead)."""
    parts, seen = [], {}
    for po in po_files(language_dir):
        try:
            part = _compiled(po, reference, cache_dir)
            twice = seen.keys() & part.contexts.keys()
            if twice:
                raise ValueError(f"{po}: keys already defined in {seen[min(twice)].name}: {', '.join(sorted(twice))}")
        except ValueError as e:
            if reference:
                raise
            log.error("%s: French shown instead", e)
            continue
        seen.update(dict.fromkeys(part.contexts, po))
        parts.append(part)
    return parts


def _chain(parts: list[_Messages], last: gettext.NullTranslations | None = None) -> gettext.NullTranslations | None:
    """parts asked in turn, then last: gettext's fallback chain (a text found nowhere is its msgid)."""
    for part, after in zip(parts, [*parts[1:], last]):
        if after is not None:
            part.add_fallback(after)
    return parts[0] if parts else last


class Catalog:
    def __init__(self, language: str = REFERENCE, locales_dir: Path = LOCALES_DIR,
                 cache_dir: Path | None = None):
        """cache_dir: where compiled catalogs are kept (None: MO_CACHE_DIR)."""
        self.language = language
        self._cache_dir = cache_dir = cache_dir or MO_CACHE_DIR
        self._rtl = language in BY_CODE and BY_CODE[language].direction == "rtl"
        french_parts = _load_language(locales_dir / REFERENCE, reference=True, cache_dir=cache_dir)
        if not french_parts:
            raise ValueError(f"{locales_dir / REFERENCE / MESSAGES}: no .po file: French is the reference")
        self._french_ids: dict[str, str] = {}
        self._plurals: set[str] = set()
        for part in french_parts:
            self._french_ids.update(part.contexts)
            self._plurals |= part.plural_contexts
        self._reference = _chain(french_parts)
        # The language's own texts, then French for what it lacks (gettext's fallback).
        self._own = self._reference if language == REFERENCE else self._translated(locales_dir / language)

    def _translated(self, language_dir: Path) -> gettext.NullTranslations:
        parts = _load_language(language_dir, False, self._cache_dir) if language_dir.is_dir() else []
        staff = sorted({key for part in parts for key in part.contexts if is_staff_key(key)})
        if staff:
            log.error("%s: staff texts stay in French, ignored: %s", language_dir, ", ".join(staff))
        return _chain(parts, self._reference)

    def keys(self) -> set[str]:
        """Every French key (a plural key once, by its msgctxt)."""
        return set(self._french_ids)

    def __call__(self, key: str, **params: object) -> str:
        french = self._french_ids.get(key)
        if french is None:
            # A missing key is a bug, but the visitor must still see something sensible.
            log.error("missing translation key %s", key)
            return key
        # Staff texts stay in French, whatever a translation says (kiosk.languages).
        own = self._reference if is_staff_key(key) else self._own
        text = self._text(own, key, french, params)
        if not params:
            return text
        try:
            return self._fill(text, params)
        except (KeyError, IndexError, ValueError) as e:
            reference = self._text(self._reference, key, french, params)
            if reference == text:
                raise
            # A broken translation (the validator names it) must not break the screen.
            log.error("%s: %s: cannot fill in the text (%s): French shown instead",
                      self.language, key, type(e).__name__)
            return self._fill(reference, params)

    def _fill(self, text: str, params: dict[str, object]) -> str:
        return _ISOLATING.vformat(text, (), params) if self._rtl else text.format(**params)

    def _text(self, messages: gettext.NullTranslations, key: str, french: str, params: dict[str, object]) -> str:
        """key's text in messages; for a plural key, the form of params["count"] by the
        Plural-Forms formula of the catalog that holds the text."""
        if key not in self._plurals:
            return messages.pgettext(key, french)
        count = params.get("count")
        if not isinstance(count, (int, float)) or isinstance(count, bool):
            log.error("translation key %s needs a count (a number) to choose its plural form", key)
            count = _GENERAL_COUNT
        # gettext formulas count in whole numbers (the kiosk counts tries, minutes, letters).
        return messages.npgettext(key, french, french, abs(int(count)))


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
