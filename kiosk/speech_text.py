"""Text as it must be heard: the one place for the rules that make espeak-ng sound right.

espeak-ng reads « 01 70 772 372 » as « zéro un, soixante-dix millions… », « 15/05/2026 »
as three numbers and slashes, « https://www.impots.gouv.fr/particulier » letter by letter.
`normalise(text, language)` rewrites what is shown into what a French speaker would say;
the screen keeps the written form. Rules are pure functions of a string, applied in order
(web addresses before dates, phone numbers before amounts), and keyed by language so that
another language adds its own list (issue 15). The other languages get rules that write no
French word (`rules()`): addresses, phone numbers and times put in a form their voice reads.
"""

from __future__ import annotations

import re
from typing import Callable

Rule = Callable[[str], str]

_UNITS = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
          "onze", "douze", "treize", "quatorze", "quinze", "seize")
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


def escape(text: str) -> str:
    """&, < and > as SSML entities: what xml.sax.saxutils.escape does, without the import of
    urllib.request, http.client and email that it brings (20-35 ms of the kiosk's start)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def french_number(n: int) -> str:
    """0 to 999 in words, as espeak-ng cannot be trusted to group digits."""
    if n < 17:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    if n < 100:
        tens, unit = divmod(n, 10)
        if tens in (7, 9):  # soixante-dix, quatre-vingt-dix
            base = "soixante" if tens == 7 else "quatre-vingt"
            rest = french_number(10 + unit)
            return f"{base}-et-{rest}" if tens == 7 and unit == 1 else f"{base}-{rest}"
        base = "quatre-vingt" if tens == 8 else _TENS[tens]
        if unit == 0:
            return "quatre-vingts" if tens == 8 else base
        if unit == 1 and tens != 8:
            return f"{base}-et-un"
        return f"{base}-{_UNITS[unit]}"
    hundreds, rest = divmod(n, 100)
    head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent{'s' if rest == 0 else ''}"
    return head if rest == 0 else f"{head} {french_number(rest)}"


def _pair(digits: str) -> str:
    """« 01 » → « zéro un », « 70 » → « soixante-dix »: how a French number is dictated."""
    if digits[0] == "0":
        return f"zéro {_UNITS[int(digits[1])]}"
    return french_number(int(digits))


# ----- web and e-mail addresses (first: they contain dots, slashes and digits) ----------
_EMAIL = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
_URL = re.compile(r"\b(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+(?:fr|gouv|com|org|net|eu|info))"
                  r"(?:/[^\s«»]*[^\s«».,;:!?)])?/?", re.IGNORECASE)


def _dotted(host: str) -> str:
    return " point ".join(host.split("."))


def email_addresses(text: str) -> str:
    return _EMAIL.sub(lambda m: f"{_dotted(m[1])} arobase {_dotted(m[2])}", text)


def web_addresses(text: str) -> str:
    """« https://www.impots.gouv.fr/particulier » → « impots point gouv point fr »: the site,
    never the scheme nor the path spelled character by character (the screen shows it)."""
    return _URL.sub(lambda m: _dotted(m[1].rstrip(".")), text)


def email_word(text: str) -> str:
    return re.sub(r"\be-?mails?\b", lambda m: "imèles" if m[0].endswith("s") else "imèle",
                  text, flags=re.IGNORECASE)


# ----- dates and times --------------------------------------------------------------------
def _date(day: str, month: str, year: str) -> str | None:
    d, m = int(day), int(month)
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return None
    return f"{'premier' if d == 1 else d} {MONTHS_FR[m - 1]} {year}"


def dates(text: str) -> str:
    """« 15/05/2026 » and « 2026-05-15 » → « 15 mai 2026 »."""
    text = re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", lambda m: _date(m[3], m[2], m[1]) or m[0], text)
    return re.sub(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", lambda m: _date(m[1], m[2], m[3]) or m[0], text)


def times(text: str) -> str:
    """« 9 h 30 » → « 9 heures 30 », « 14h » → « 14 heures », « 1 h » → « 1 heure »."""
    def say(m: re.Match) -> str:
        hours, minutes = int(m[1]), m[2]
        word = "heure" if hours < 2 else "heures"
        return f"{hours} {word}" + (f" {int(minutes)}" if minutes and int(minutes) else "")
    return re.sub(r"\b(\d{1,2})\s?h(?:\s?(\d{2}))?\b", say, text)


# ----- numbers ------------------------------------------------------------------------------
_SEP = r"[ \u00a0\u202f.\-]?"
_PHONE = re.compile(r"(?<![\d,])(\+33" + _SEP + r"\(?0?\)?" + _SEP + r"|0" + _SEP + r")"
                    r"((?:\d" + _SEP + r"){8}\d)(?!\d)")
_NINE = re.compile(r"(?<![\d,])(\d{3})[ \u00a0\u202f](\d{3})[ \u00a0\u202f](\d{3})(?![\d,])")


def phone_numbers(text: str) -> str:
    """« 01 70 77 23 72 », « 01 70 772 372 », « 0170772372 », « +33 1 70 77 23 72 »: ten
    digits said in pairs, as a number is dictated in France; a free or special number
    written « 0 800 123 456 » is said group by group, as it is written."""
    def say(m: re.Match) -> str:
        rest = re.sub(r"\D", "", m[2])
        if m[1].startswith("+"):
            return "plus trente-trois, " + _UNITS[int(rest[0])] + ", " + ", ".join(
                _pair(rest[i:i + 2]) for i in range(1, 9, 2))
        groups = re.split(r"[ \u00a0\u202f.\-]", m[0])
        if [len(g) for g in groups] == [1, 3, 3, 3]:  # « 0 800 123 456 »: said as written
            return "zéro, " + ", ".join(french_number(int(g)) for g in groups[1:])
        digits = "0" + rest
        return ", ".join(_pair(digits[i:i + 2]) for i in range(0, 10, 2))
    return _PHONE.sub(say, text)


def grouped_numbers(text: str) -> str:
    """Nine digits written 3-3-3 (« 123 456 789 », a SIREN) are said group by group, not
    as « cent vingt-trois millions… »."""
    return _NINE.sub(lambda m: ", ".join(french_number(int(g)) for g in m.groups()), text)


def amounts(text: str) -> str:
    """« 25 € » → « 25 euros », « 1 € » → « 1 euro », « 12,50 € » → « 12 euros 50 »."""
    def say(m: re.Match) -> str:
        units, cents = m[1].replace("\u00a0", "").replace("\u202f", "").replace(" ", ""), m[2]
        word = "euro" if int(units) < 2 else "euros"
        return f"{units} {word}" + (f" {int(cents)}" if cents and int(cents) else "")
    text = re.sub(r"(\d[\d \u00a0\u202f]*?)(?:,(\d{2}))?[ \u00a0\u202f]?€", say, text)
    return text.replace("€", "euros")


# ----- symbols ----------------------------------------------------------------------------
_SILENT = re.compile(r"[«»“”\"•*_#|~<>\[\]{}]")
# « & » and « N° » in each voice's words: espeak-ng says « N degrees » and, in Arabic or
# Spanish, « ampersand ». A language not listed keeps the signs.
SIGN_WORDS: dict[str, tuple[str, str]] = {
    "fr": ("et", "numéro"), "en": ("and", "number"), "es": ("y", "número"),
    "pt": ("e", "número"), "tr": ("ve", "numara"), "ar": ("و", "رقم"),
}


def marks(text: str) -> str:
    """Marks that are seen, not heard, in every language: guillemets, bullets, stars."""
    text = text.replace("→", ",").replace("/", " ")
    text = re.sub("[\u2066-\u2069\u200e\u200f]", "", text)  # bidi isolates and marks (kiosk/i18n.py)
    return _SILENT.sub(" ", text)


def sign_words(language: str) -> Rule:
    and_word, number_word = SIGN_WORDS.get(language, ("&", "N°"))

    def signs(text: str) -> str:
        text = re.sub(r"\b[Nn]°\s?", f"{number_word} ", text)
        return text.replace("&", f" {and_word} ")
    return signs


def symbols(text: str) -> str:
    """French: « & » is « et », « N° » is « numéro », then the marks are dropped."""
    return marks(sign_words("fr")(text))


def spaces(text: str) -> str:
    text = re.sub(r"[ \t\u00a0\u202f]+", " ", text)
    text = re.sub(r" +([.,)])", r"\1", text)
    return re.sub(r" *\n[\s]*", "\n", text).strip()


# ----- every language: what any voice would otherwise get wrong ----------------------------
def sites(text: str) -> str:
    """« https://www.caf.fr/allocataires » → « caf.fr »: the voice says the dots in its own
    words (« dot », « punto »); the scheme and the path are never spelled."""
    return _URL.sub(lambda m: m[1].rstrip("."), text)


def phone_pairs(text: str) -> str:
    """« 01 70 772 372 » → « 01 70 77 23 72 »: ten digits regrouped in pairs, each said as a
    number by the voice in its language (never « seven hundred seventy-two »)."""
    def say(m: re.Match) -> str:
        if m[1].startswith("+"):
            return m[0]
        digits = "0" + re.sub(r"\D", "", m[2])
        return ", ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return _PHONE.sub(say, text)


def clock_times(text: str) -> str:
    """« 9 h 30 » → « 9:30 »: the French « h » means nothing to another voice."""
    return re.sub(r"\b(\d{1,2})\s?h(?:\s?(\d{2}))?\b", lambda m: f"{m[1]}:{m[2] or '00'}", text)


RULES: dict[str, tuple[Rule, ...]] = {
    "fr": (email_addresses, web_addresses, email_word, dates, times, phone_numbers,
           grouped_numbers, amounts, symbols, spaces),
}
LANGUAGE_FREE: tuple[Rule, ...] = (marks, spaces)


def rules(language: str) -> tuple[Rule, ...]:
    """French has its full list; another language gets only rules that write no word of
    French: sites, phone pairs and times as digits its voice reads, its own words for « & »
    and « N° », and the marks dropped."""
    if language in RULES:
        return RULES[language]
    return (sites, phone_pairs, clock_times, sign_words(language), *LANGUAGE_FREE)


def normalise(text: str, language: str = "fr") -> str:
    for rule in rules(language):
        text = rule(text)
    return text


# ----- French content inside another language's speech ----------------------------------
# The procedures are written in French only: a visitor who listens in English hears the
# interface in English and the content in French. kiosk/reading.py puts French content
# between these two private-use characters; engine_input() hands espeak-ng SSML where
# each French part is in the French voice, normalised by the French rules.
FRENCH_START, FRENCH_END = "\ue000", "\ue001"
_FRENCH_PART = re.compile(f"{FRENCH_START}(.*?){FRENCH_END}", re.DOTALL)


def french(text: str) -> str:
    return f"{FRENCH_START}{text}{FRENCH_END}" if text else text


def french_parts(text: str) -> set[str]:
    """The French content marked in text."""
    return {part.strip() for part in _FRENCH_PART.findall(text)}


def engine_input(text: str, language: str) -> tuple[str, bool]:
    """What espeak-ng reads, and whether it is SSML (espeak-ng -m)."""
    if language == "fr" or FRENCH_START not in text:
        plain = text.replace(FRENCH_START, "").replace(FRENCH_END, "")
        return normalise(plain, language), False
    out, at = [], 0
    for m in _FRENCH_PART.finditer(text):
        out.append(escape(normalise(text[at:m.start()], language)))
        out.append(f'<voice xml:lang="fr">{escape(normalise(m[1], "fr"))}</voice>')
        at = m.end()
    out.append(escape(normalise(text[at:], language)))
    spoken = "".join(out).replace(FRENCH_START, "").replace(FRENCH_END, "")
    # normalise() strips each part: the spaces between parts come back here.
    spoken = re.sub(r"(?<=[^\s>])<voice", " <voice", spoken)
    spoken = re.sub(r"</voice>(?=[^\s<.,;:!?])", "</voice> ", spoken)
    return f"<speak>{spoken}</speak>", True
