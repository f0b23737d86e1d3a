"""The languages the kiosk speaks, as data in one place.

Order is the order of the language button: French first (the reference, FALC), then the
languages of the most common origins of immigrants in France (issue 15, INSEE 2023).
Each language's name is written in its own script, so a visitor finds theirs without
reading French. `direction` tells the screens which way text and layout run.

`cldr` names the CLDR locale of its catalogs (the `Language` header of its .po files, and
where Babel takes their `Plural-Forms` from): Portuguese here is European Portuguese
(pt_PT: « 0 minutos »), not CLDR's default pt (Brazil: « 0 minuto »). Which plural form a
number takes is the catalog's own `Plural-Forms` formula (kiosk.i18n), not code here.

`fonts` is the chain of text fonts a language is drawn with, each a (regular, bold) pair:
a character is drawn by the first font of the chain that has it. Atkinson Hyperlegible
(the kiosk's font) has no Arabic: Noto Sans Arabic draws it, Atkinson the Latin words in
it. Atkinson has no « İ » (U+0130) either, but HarfBuzz (Kivy's SDL2 text, Pillow's raqm)
draws it as I + U+0307, which Atkinson has. The locale validator checks every text
against its chain; the screens draw each language with `screen_fonts`, its chain in one file.

Staff texts stay in French in every language: the conseiller screen, the messages a
conseiller receives on a phone and the page they open to answer, and the printer test page
are read by France Services staff, whatever language the visitor chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Language:
    code: str  # the folder assets/locales/<code>/ and the value of [kiosk] language
    name: str  # in its own script, for the language button
    direction: Literal["ltr", "rtl"]
    cldr: str  # the CLDR locale of its catalogs (their Language and Plural-Forms headers)
    fonts: tuple[tuple[str, str], ...]
    # The (regular, bold) files the screens draw with: the chain above merged into one file
    # where the text engine has no fallback (Pillow's raqm: scripts/merge_arabic_font.py).
    screen_fonts: tuple[str, str] = ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf")


ATKINSON = ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf")
NOTO_SANS_ARABIC = ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf")

LANGUAGES: tuple[Language, ...] = (
    Language("fr", "Français", "ltr", "fr", (ATKINSON,)),
    Language("ar", "العربية", "rtl", "ar", (NOTO_SANS_ARABIC, ATKINSON),
             ("PasAPasArabic-Regular.ttf", "PasAPasArabic-Bold.ttf")),
    Language("en", "English", "ltr", "en", (ATKINSON,)),
    Language("pt", "Português", "ltr", "pt_PT", (ATKINSON,)),
    Language("es", "Español", "ltr", "es", (ATKINSON,)),
    Language("tr", "Türkçe", "ltr", "tr", (ATKINSON,)),
)
BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}
CODES: tuple[str, ...] = tuple(BY_CODE)
DEFAULT = "fr"

# Keys read by staff, not by the visitor: French in every language (see above). A key is
# staff when it starts with one of these.
STAFF_KEY_PREFIXES: tuple[str, ...] = (
    "conseiller.",
    "helpcall.message",  # the call message a conseiller receives
    "helpcall.since_",  # parts of that message
    "helpcall.notice_",
    "helpcall.test_message",
    "helpcall.ack_",  # the web page a conseiller opens to answer a call
    "receipt.test_",  # the printer test page
)


def is_staff_key(key: str) -> bool:
    return key.startswith(STAFF_KEY_PREFIXES)


def language(code: str) -> Language:
    """The language of code; KeyError names the codes allowed."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown language « {code} »: use one of {', '.join(CODES)}") from None
