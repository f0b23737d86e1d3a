"""Rules a content pack must follow beyond its schema, each with its own name.

Two groups, because they fail differently:

- structure_problems: what would break a visitor's path or trust: an unknown category,
  ids used twice, a `next` to nowhere, a dead end, a step no path reaches, a loop with no
  way to an end, a link outside the official sites. The kiosk refuses to start on these.
- quality_problems: the writing rules of CONTENT_GUIDE.md a machine can check, missing
  images, characters the font cannot draw, unknown icons. `kiosk content validate` fails
  on these; the running kiosk does not, since a long sentence on screen is better than a
  kiosk that does not start.

A document passed here is the loader's YAML-with-lines: `.path`, `.line(at)` and
`.line_in(at, offset)` (the line of one character of a multi-line text).
"""

from __future__ import annotations

import json
import re
import stat
import string
import unicodedata
from collections import deque
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Protocol
from urllib.parse import urlsplit

from kiosk import languages
from kiosk.config import ASSETS_DIR
from kiosk.content.domains import is_allowed_url
from kiosk.content.papers import not_a_paper, same_paper
from kiosk.content.problems import Problem
from kiosk.files import RefusedFileError, read_regular_text
from kiosk.i18n import plural_category

FONTS_DIR = ASSETS_DIR / "fonts"
# The app draws body text in Regular and titles in Bold: a character must exist in both.
TEXT_FONTS = ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf")
ICON_CODEPOINTS = "materialdesignicons-codepoints.json"

IMAGE_MAX_BYTES = 4 * 1024 * 1024
LOCALE_MAX_BYTES = 256 * 1024  # the largest shipped locale file is under 10 kB
MAX_SENTENCE_WORDS = 20
ALL_CAPS_MIN_LETTERS = 6
# Official names written in capitals. Longer than 5 letters, they escape the all-caps
# word rule; a line made only of them is not an all-caps sentence.
ACRONYMS = frozenset({"URSSAF", "CARSAT", "ASSEDIC", "CAF", "ANTS", "CNI", "RIB", "SMS", "CV",
                      "ENT", "RSA", "APL", "CPAM", "MSA", "CNIL", "PDF", "QR", "SIRET", "SIREN",
                      "INSEE", "PIN", "USB", "AGIRC", "ARRCO", "DGFIP", "HLM", "AAH"})

NBSP = "\u00a0"
NNBSP = "\u202f"


class Located(Protocol):
    path: Path

    def line(self, at: tuple) -> int: ...

    def line_in(self, at: tuple, offset: int) -> int: ...


# ----- structure ----------------------------------------------------------------------

def _successors(step: dict) -> list[str]:
    if step.get("kind") == "question":
        return [c["next"] for c in step.get("choices", [])]
    return [step["next"]] if step.get("next") else []


def structure_problems(doc: Located, raw: dict, category_ids: set[str],
                       pack_root: Path | None = None) -> list[Problem]:
    """Category, step ids, branches, links and (given pack_root) image files of one procedure
    (already schema-valid)."""
    out: list[Problem] = [] if pack_root is None else image_file_problems(doc, raw, pack_root)
    steps = raw["steps"]
    if raw["category"] not in category_ids:
        out.append(Problem(doc.path, doc.line(("category",)), "category",
                           f"unknown category « {raw['category']} »: use one listed in categories.yaml"))
    index: dict[str, int] = {}
    for i, s in enumerate(steps):
        if s["id"] in index:
            out.append(Problem(doc.path, doc.line(("steps", i, "id")), "unique-step",
                               f"step id « {s['id']} » is used twice"))
        else:
            index[s["id"]] = i
    for i, s in enumerate(steps):
        targets = [(("next",), s["next"])] if s.get("kind") != "question" and s.get("next") else []
        targets += [(("choices", j, "next"), c["next"]) for j, c in enumerate(s.get("choices", []))]
        for key, target in targets:
            if target not in index:
                out.append(Problem(doc.path, doc.line(("steps", i) + key), "next",
                                   f"step « {s['id']} » leads to « {target} », which does not exist"))
        if s["kind"] not in ("end", "question") and not s.get("next"):
            out.append(Problem(doc.path, doc.line(("steps", i)), "dead-end",
                               f"step « {s['id']} » has no next step and is not an end step"))
    out += _path_problems(doc, steps, index)
    for at, offset, url in _urls(raw):
        if not is_allowed_url(url):
            out.append(Problem(doc.path, doc.line_in(at, offset), "domain",
                               f"{url} is not an https link to an allowed official site (kiosk/content/domains.py)"))
    return out


def _path_problems(doc: Located, steps: list[dict], index: dict[str, int]) -> list[Problem]:
    """Steps no path reaches from the first, and loops from which no end can be reached."""
    succ = [[index[t] for t in _successors(s) if t in index] for s in steps]
    reached = {0}
    todo = deque([0])
    while todo:
        for n in succ[todo.popleft()]:
            if n not in reached:
                reached.add(n)
                todo.append(n)
    out = [Problem(doc.path, doc.line(("steps", i)), "unreachable",
                   f"step « {s['id']} » cannot be reached from the first step « {steps[0]['id']} »")
           for i, s in enumerate(steps) if i not in reached and index.get(s["id"]) == i]
    # A path stops at an end step, and also at a dead end or a broken `next`: those are
    # reported by their own rules, so only true loops are left for no-exit.
    preds: dict[int, list[int]] = {i: [] for i in range(len(steps))}
    for i, nexts in enumerate(succ):
        for n in nexts:
            preds[n].append(i)
    stops = [i for i, s in enumerate(steps)
             if s["kind"] == "end" or not succ[i] or len(succ[i]) < len(_successors(s))]
    finishes = set(stops)
    todo = deque(stops)
    while todo:
        for p in preds[todo.popleft()]:
            if p not in finishes:
                finishes.add(p)
                todo.append(p)
    trapped = {i for i in reached if i not in finishes}
    for loop in _closed_loops(trapped, succ):
        names = ", ".join(f"« {steps[i]['id']} »" for i in loop)
        out.append(Problem(doc.path, doc.line(("steps", loop[0])), "no-exit",
                           f"steps {names} go round in a loop: no path from them leads to an end step"))
    return out


def _closed_loops(trapped: set[int], succ: list[list[int]]) -> list[list[int]]:
    """The loops that trap a visitor, without the steps that merely lead into them.

    Every trapped step leads only to trapped steps, so following the arrows ends in a
    group of steps that all reach each other and nothing else: that group is the loop.
    Steps are few (a dozen), so plain reachability sets are enough.
    """
    def reach(start: int) -> frozenset[int]:
        seen, todo = {start}, [start]
        while todo:
            for n in succ[todo.pop()]:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return frozenset(seen)

    reaches = {i: reach(i) for i in trapped}
    loops = {r for i, r in reaches.items() if all(i in reaches[j] for j in r)}
    return sorted(sorted(loop) for loop in loops)


_URL_IN_TEXT = re.compile(r"\bhttps?://[^\s«»<>\"]+")


def _urls(raw: dict) -> Iterator[tuple[tuple, int, str]]:
    """(where, offset in that text, url) of every link, including those written in a text."""
    for i, link in enumerate(raw.get("links", [])):
        yield ("links", i, "url"), 0, link["url"]
    for i, s in enumerate(raw["steps"]):
        if s.get("link"):
            yield ("steps", i, "link", "url"), 0, s["link"]["url"]
        if s.get("site"):
            yield ("steps", i, "site"), 0, s["site"]
    for at, text in visible_texts(raw):
        for m in _URL_IN_TEXT.finditer(text):
            yield at, m.start(), m.group().rstrip(".,;:!?)")


# ----- quality ------------------------------------------------------------------------

def visible_texts(raw: dict) -> Iterator[tuple[tuple, str]]:
    """Every text of a procedure that a visitor sees on screen or on the receipt."""
    for key in ("title", "summary"):
        if isinstance(raw.get(key), str):
            yield (key,), raw[key]
    for i, text in enumerate(raw.get("before_you_start", [])):
        yield ("before_you_start", i), text
    for i, link in enumerate(raw.get("links", [])):
        yield ("links", i, "label"), link["label"]
    for i, s in enumerate(raw.get("steps", [])):
        at = ("steps", i)
        for key in ("title", "text", "label", "pattern_help", "receipt_label", "where"):
            if isinstance(s.get(key), str):
                yield at + (key,), s[key]
        for j, item in enumerate(s.get("items", [])):
            yield at + ("items", j, "label"), item["label"]
            if item.get("help"):
                yield at + ("items", j, "help"), item["help"]
        for j, choice in enumerate(s.get("choices", [])):
            yield at + ("choices", j, "label"), choice["label"]
        if s.get("link"):
            yield at + ("link", "label"), s["link"]["label"]
        for key in ("done", "todo", "bring"):
            for j, text in enumerate(s.get(key, [])):
                yield at + (key, j), text


def quality_problems(doc: Located, raw: dict, pack_root: Path, fonts_dir: Path = FONTS_DIR) -> list[Problem]:
    """Writing rules, glyphs, images and sources of one procedure (already schema-valid)."""
    out: list[Problem] = source_problems(doc, raw)
    drawable = _drawable(fonts_dir)
    for at, text in visible_texts(raw):
        for offset, rule, message in text_findings(text, drawable):
            out.append(Problem(doc.path, doc.line_in(at, offset), rule, message))
    out += truth_problems(doc, raw)
    root = pack_root.resolve()
    for i, s in enumerate(raw["steps"]):
        if not s.get("image"):
            continue
        if not str(s.get("image_alt") or "").strip():
            # EN 301 549 5.1.3.6 / 11.1.1.1: what an image shows is spoken in speech mode.
            out.append(Problem(doc.path, doc.line(("steps", i, "image")), "image-alt",
                               f"image « {s['image']} » has no image_alt (what it shows, said aloud)"))
        image = (pack_root / s["image"]).resolve()
        # Outside the pack, not a regular file, too big: structure_problems says so.
        if image.is_relative_to(root) and not image.exists():
            out.append(Problem(doc.path, doc.line(("steps", i, "image")), "image",
                               f"image « {s['image']} » not found in {pack_root}"))
    return out


# ----- sources and review dates --------------------------------------------------------------
REVIEW_AFTER_MONTHS = 12


def source_problems(doc: Located, raw: dict) -> list[Problem]:
    """Every procedure says where its facts come from and when they were checked (issue 17)."""
    out = []
    if not raw.get("sources"):
        out.append(Problem(doc.path, doc.line(("sources",) if "sources" in raw else ("id",)), "sources",
                           "no « sources »: list the official pages (https) the facts come from"))
    for j, url in enumerate(raw.get("sources", ())):
        if not is_allowed_url(url):
            out.append(Problem(doc.path, doc.line(("sources", j)), "domain",
                               f"source {url} is not an official site (kiosk/content/domains.py)"))
    if "checked_on" not in raw:
        out.append(Problem(doc.path, doc.line(("id",)), "checked-on",
                           "no « checked_on »: write the day the facts were checked, e.g. checked_on: 2026-12-02"))
    elif checked_date(raw["checked_on"]) is None:
        out.append(Problem(doc.path, doc.line(("checked_on",)), "checked-on",
                           f"checked_on « {raw['checked_on']} » is not a real date (YYYY-MM-DD)"))
    return out


def checked_date(text: str | None) -> date | None:
    """checked_on as a date; None when absent or not a real day (2026-02-30)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def review_deadline(checked: date) -> date:
    """The day REVIEW_AFTER_MONTHS after checked (28 February for a 29 February)."""
    year, month = divmod(checked.month - 1 + REVIEW_AFTER_MONTHS, 12)
    year, month = checked.year + year, month + 1
    for day in (checked.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def is_due_for_review(checked_on: str | None, today: date) -> bool:
    """True when the facts were never dated or were checked more than 12 months before today."""
    checked = checked_date(checked_on)
    return checked is None or today > review_deadline(checked)


def due_for_review(procedures, today: date) -> list:
    """The procedures (anything with .id and .checked_on) due for review, oldest first."""
    due = [p for p in procedures if is_due_for_review(p.checked_on, today)]
    return sorted(due, key=lambda p: (checked_date(p.checked_on) or date.min, p.id))


def pack_date(procedures) -> str | None:
    """The pack's date: the newest checked_on (YYYY-MM-DD), None when no procedure is dated."""
    dates = [d for d in (checked_date(p.checked_on) for p in procedures) if d is not None]
    return max(dates).isoformat() if dates else None


def review_warnings(procedures, today: date) -> list[str]:
    """One line per procedure due for review, for `kiosk content validate` (a warning, not a failure)."""
    return [f"{p.source}: [review] « {p.id} » checked on {p.checked_on or '(never)'}, more than "
            f"{REVIEW_AFTER_MONTHS} months ago: check its facts against its sources, then update checked_on"
            for p in due_for_review(procedures, today)]


def image_file_problems(doc: Located, raw: dict, pack_root: Path) -> list[Problem]:
    """Images the kiosk would open: inside the pack, regular files, of a bounded size.

    The screen reads an image on the UI thread: a FIFO would freeze it, a symlink to
    /dev/zero never end. A missing image only shows no image (quality_problems says so)."""
    out: list[Problem] = []
    root = pack_root.resolve()
    for i, s in enumerate(raw["steps"]):
        if not s.get("image"):
            continue
        image = (pack_root / s["image"]).resolve()
        if not image.is_relative_to(root):
            message = f"image « {s['image']} » is outside the content pack"
        else:
            try:
                info = image.stat()
            except FileNotFoundError:
                continue
            except OSError as e:
                message = f"image « {s['image']} » cannot be read ({e.strerror})"
            else:
                if not stat.S_ISREG(info.st_mode):
                    message = f"image « {s['image']} » is not a regular file"
                elif info.st_size > IMAGE_MAX_BYTES:
                    message = f"image « {s['image']} » is {info.st_size} bytes; at most {IMAGE_MAX_BYTES}"
                else:
                    continue
        out.append(Problem(doc.path, doc.line(("steps", i, "image")), "image", message))
    return out


def categories_quality_problems(doc: Located, raw: dict, fonts_dir: Path = FONTS_DIR) -> list[Problem]:
    """Icons that exist in the icon font, and titles that follow the writing rules."""
    out: list[Problem] = []
    icons = _icon_names(fonts_dir)
    drawable = _drawable(fonts_dir)
    for i, c in enumerate(raw["categories"]):
        if c["icon"] not in icons:
            out.append(Problem(doc.path, doc.line(("categories", i, "icon")), "icon",
                               f"icon « {c['icon']} » is not in {ICON_CODEPOINTS}"))
        for offset, rule, message in text_findings(c["title"], drawable):
            out.append(Problem(doc.path, doc.line_in(("categories", i, "title"), offset), rule, message))
    return out


def text_findings(text: str, drawable: frozenset[int] | None) -> list[tuple[int, str, str]]:
    """(offset in text, rule, message) for every writing rule the text breaks."""
    return [*_sentence_findings(text), *_typography_findings(text), *_glyph_findings(text, drawable)]


# Sentences end at . ! ? … followed by a space, or at a line break (one line, one idea).
_SENTENCE = re.compile(r"[^\n]+?(?:[.!?…]+(?=\s)|$)", re.M)
_WORD = re.compile(r"\w[\w'’-]*")
_DIGIT_GROUPS = re.compile(r"(?<=\d)[ \u00a0](?=\d)")  # "01 70 772 372" is one number
_LETTERS = re.compile(r"[^\W\d_]+")


def sentences(text: str) -> Iterator[tuple[int, str]]:
    for m in _SENTENCE.finditer(text):
        stripped = m.group().lstrip()
        if stripped.strip():
            yield m.end() - len(stripped), stripped


def _sentence_findings(text: str) -> Iterator[tuple[int, str, str]]:
    for offset, sentence in sentences(text):
        words = _WORD.findall(_DIGIT_GROUPS.sub("", sentence))
        if len(words) > MAX_SENTENCE_WORDS:
            yield offset, "sentence-length", (
                f"{len(words)} words in one sentence (at most {MAX_SENTENCE_WORDS}, aim for 15): "
                f"« {_clip(sentence)} »")
        letter_words = _LETTERS.findall(sentence)
        capitals = [w for w in letter_words if w.isupper()]
        if (len(letter_words) >= 2 and len(capitals) == len(letter_words)
                and sum(map(len, capitals)) >= ALL_CAPS_MIN_LETTERS
                and not all(w in ACRONYMS for w in capitals)):
            yield offset, "all-caps", f"sentence in capitals: « {_clip(sentence)} »; write it in lower case"
            continue
        for m in _LETTERS.finditer(sentence):
            word = m.group()
            if len(word) >= ALL_CAPS_MIN_LETTERS and word.isupper() and word not in ACRONYMS:
                yield offset + m.start(), "all-caps", (
                    f"« {word} » is in capitals; write it in lower case (acronyms: 5 letters at most)")


_URL_SPAN = re.compile(r"\b(?:https?://|www\.)\S+")


def _typography_findings(text: str) -> Iterator[tuple[int, str, str]]:
    # URLs keep their own punctuation: blank them out, keeping offsets.
    masked = _URL_SPAN.sub(lambda m: " " * len(m.group()), text)
    for i, ch in enumerate(masked):
        before = masked[i - 1] if i else ""
        after = masked[i + 1] if i + 1 < len(masked) else ""
        if ch == NNBSP:
            yield i, "typography", "narrow no-break space (U+202F): the font cannot draw it, use U+00A0"
        elif ch == '"':
            yield i, "typography", "straight quote \": write « » with no-break spaces (U+00A0) inside"
        elif ch == "«" and after != NBSP:
            yield i, "typography", "« must be followed by a no-break space (U+00A0)"
        elif ch == "»" and before != NBSP:
            yield i, "typography", "» must be preceded by a no-break space (U+00A0)"
        elif ch in ";:!?" and i > 0 and before != NBSP:
            if before in ";:!?":
                continue  # "?!": the space is before the first mark
            if ch == ":" and (after.isdigit() or after == "/"):
                continue  # a time or a scheme, not punctuation
            if before not in " \t\n" and after.isalnum():
                continue  # inside a code or an example password ("Chat!Bleu"), not prose
            what = "a space" if before in " \t\n" else "nothing"
            yield i, "typography", (f"{what} before « {ch} »: put a no-break space (U+00A0) "
                                    "before ; : ! ? (scripts/french_typography.py does it)")


def _chain_drawable(fonts_dir: Path, chain: tuple[tuple[str, ...], ...]) -> frozenset[int] | None:
    """Code points some (regular, bold) pair of the chain draws in both; None if a font is missing."""
    sets = [_drawable(fonts_dir, pair) for pair in chain]
    return None if None in sets else frozenset().union(*sets)


@lru_cache(maxsize=16)
def _drawable(fonts_dir: Path, fonts: tuple[str, ...] = TEXT_FONTS) -> frozenset[int] | None:
    """Code points every font of fonts can draw; None if the fonts are not there."""
    from fontTools.ttLib import TTFont  # ~50 ms to import: only when checking

    sets = []
    for name in fonts:
        path = fonts_dir / name
        if not path.is_file():
            return None
        font = TTFont(str(path), lazy=True)
        try:
            sets.append(frozenset(font.getBestCmap()))
        finally:
            font.close()
    return frozenset.intersection(*sets)


def _glyph_findings(text: str, drawable: frozenset[int] | None,
                    font: str = TEXT_FONTS[0]) -> Iterator[tuple[int, str, str]]:
    if drawable is None:
        return
    seen: set[str] = set()
    for i, ch in enumerate(text):
        # U+202F is missing from the font too, but the typography rule already names it.
        if ch in "\n\t" or ch == NNBSP or ord(ch) in drawable or ch in seen:
            continue
        seen.add(ch)
        name = unicodedata.name(ch, "unnamed character")
        yield i, "glyph", f"« {ch} » (U+{ord(ch):04X} {name}) cannot be drawn by {font}"


@lru_cache(maxsize=8)
def _icon_names(fonts_dir: Path) -> frozenset[str]:
    with (fonts_dir / ICON_CODEPOINTS).open(encoding="utf-8") as f:
        return frozenset(json.load(f))


def _clip(sentence: str, words: int = 8) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# ----- truth: what the kiosk cannot know, what is not a paper, where the site is -------

# A step done on the official site: the visitor is away (on their phone, or in the
# kiosk's browser) for minutes, so the idle reset must not wipe the visit meanwhile.
SITE_IDLE_MIN_S = 600

# The kiosk only shows the way: it never sees the site, so it cannot know the visitor
# finished there, nor what they learnt. An end step's title and `done` lines say what
# was seen here or what to do, never « Vous avez déclaré », « … est faite ».
_SEEN_HERE = {"vu", "appris", "lu", "regardé", "découvert", "préparé", "noté"}
_PARTICIPLE = re.compile(r"\w+(?:é|ée|és|ées|i|ie|is|ies|it|ite|its|ites|u|ue|us|ues|ert|erte|erts|ertes)$")
_DONE_ADJECTIVES = {"prêt", "prête", "prêts", "prêtes", "visible", "visibles", "solide", "solides"}
_CLAIMS = (
    # « Vous avez déclaré… », « Vous êtes inscrit »; « Vous avez vu… » is what happened here.
    re.compile(r"\bvous (?:avez|êtes) (?:(?:déjà|bien|maintenant) )?(\w+)", re.IGNORECASE),
    # « Votre pré-demande est faite », « Vos fichiers sont rangés », « Votre CV est prêt ».
    re.compile(r"\b(?:est|sont) (?:(?:bien|maintenant|déjà|mieux|plus) )?(\w+)", re.IGNORECASE),
)
_KNOWS = re.compile(r"\b(?:vous savez|vous connaissez|vous suivez|c'est fait)\b", re.IGNORECASE)


def done_claim(text: str) -> str | None:
    """The words by which text claims the visitor finished (or learnt) something; else None."""
    m = _KNOWS.search(text)
    if m:
        return m.group()
    for pattern in _CLAIMS:
        for m in pattern.finditer(text):
            word = m.group(1).casefold()
            if word in _SEEN_HERE:
                continue
            if word in _DONE_ADJECTIVES or word in ("fait", "faite", "faits", "faites") \
                    or _PARTICIPLE.match(word):
                return m.group()
    return None


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _link_covers(link_host: str, site_host: str) -> bool:
    return site_host == link_host or site_host.endswith("." + link_host)


def truth_problems(doc: Located, raw: dict) -> list[Problem]:
    """done-claim, not-a-paper, bring-repeat, site-idle and site-link for one procedure."""
    out: list[Problem] = []
    steps = raw["steps"]
    papers = [(i, j, item["label"]) for i, s in enumerate(steps) if s.get("papers")
              for j, item in enumerate(s["items"])]
    for i, j, label in papers:
        word = not_a_paper(label)
        if word:
            out.append(Problem(doc.path, doc.line(("steps", i, "items", j, "label")), "not-a-paper",
                               f"« {label} » is not a paper (« {word} »): a papers checklist lists "
                               "documents; say it in before_you_start or a step's text"))
    for i, s in enumerate(steps):
        if s["kind"] == "end":
            out += _end_step_truth(doc, i, s, papers)
        if s.get("site") and s.get("idle_timeout_s", 0) < SITE_IDLE_MIN_S:
            out.append(Problem(doc.path, doc.line(("steps", i)), "site-idle",
                               f"step « {s['id']} » is done on the site: give it idle_timeout_s: "
                               f"{SITE_IDLE_MIN_S} or more, or the visit is wiped while the visitor is busy"))
    return out + _site_link_problems(doc, steps)


def _end_step_truth(doc: Located, i: int, step: dict, papers: list) -> list[Problem]:
    out: list[Problem] = []
    texts = [(("title",), step["title"])] + [(("done", j), d) for j, d in enumerate(step.get("done", []))]
    for key, text in texts:
        words = done_claim(text)
        if words:
            out.append(Problem(doc.path, doc.line(("steps", i) + key), "done-claim",
                               f"« {words} »: the kiosk cannot know the visitor finished this on the "
                               "site; say what was seen here (« Comment … ») or what to do "
                               "(« Quand vous aurez fini… »)"))
    for j, line in enumerate(step.get("bring", [])):
        at = doc.line(("steps", i, "bring", j))
        word = not_a_paper(line)
        if word:
            out.append(Problem(doc.path, at, "not-a-paper",
                               f"« {line} » is not a paper to bring (« {word} »)"))
        repeated = next((label for _, _, label in papers if same_paper(line, label)), None)
        if repeated:
            out.append(Problem(doc.path, at, "bring-repeat",
                               f"« {line} » is already in a papers checklist (« {repeated} »): "
                               "it is listed when the visitor did not tick it; remove it from bring"))
    return out


def _site_link_problems(doc: Located, steps: list[dict]) -> list[Problem]:
    """A step done on a site comes after a link step to that site on every path to it."""
    if not any(s.get("site") for s in steps):
        return []
    index = {s["id"]: i for i, s in enumerate(steps)}
    succ = [[index[t] for t in _successors(s) if t in index] for s in steps]
    # shown[i]: the link hosts shown on every path from the first step to step i (None:
    # no path seen yet). Sets only shrink, so the loop ends.
    shown: list[frozenset[str] | None] = [None] * len(steps)
    shown[0] = frozenset()
    todo = deque([0])
    while todo:
        i = todo.popleft()
        link = steps[i].get("link")
        after = shown[i] | {_host(link["url"])} if link else shown[i]
        for n in succ[i]:
            new = after if shown[n] is None else shown[n] & after
            if new != shown[n]:
                shown[n] = new
                todo.append(n)
    out = []
    for i, s in enumerate(steps):
        if not s.get("site") or shown[i] is None:
            continue  # unreachable steps have their own rule
        site = _host(s["site"])
        if not any(_link_covers(h, site) for h in shown[i]):
            out.append(Problem(doc.path, doc.line(("steps", i, "site")), "site-link",
                               f"step « {s['id']} » is done on {site}, but a path reaches it without "
                               f"a link step to that site before it: add one (QR code and address) earlier"))
    return out


# ----- locale files ---------------------------------------------------------------------

def locale_problems(locales_dir: Path, fonts_dir: Path = FONTS_DIR) -> list[Problem]:
    """Every rule of assets/locales/<lang>/*.json: readable, key: text, glyphs the language's
    fonts can draw, typography (French rules in fr, each language's own elsewhere), and for
    a translation: only French keys, the same placeholders, the plural variants the language
    needs, no staff text (those stay in French). Keys a translation lacks are not problems:
    they fall back to French (locale_fallbacks lists them)."""
    out: list[Problem] = []
    catalogs: dict[str, dict[str, _LocaleText]] = {}
    for path in sorted(Path(locales_dir).glob("*/*.json")):
        texts, source = _read_locale(path, out)
        if texts is None:
            continue
        code = path.parent.name
        if code not in languages.BY_CODE:
            if code not in catalogs:
                out.append(Problem(path, 1, "locale", f"unknown language folder « {code} »: "
                                   f"the kiosk speaks {', '.join(languages.CODES)} (kiosk/languages.py)"))
            catalogs.setdefault(code, {})
            continue
        lang = languages.BY_CODE[code]
        drawable = _chain_drawable(fonts_dir, lang.fonts)
        catalog = catalogs.setdefault(code, {})
        for key, text in texts.items():
            line = _json_key_line(source, key)
            if not isinstance(text, str):
                out.append(Problem(path, line, "locale", f"{key}: must be a text"))
                continue
            catalog[key] = _LocaleText(path, line, text)
            findings = list(_glyph_findings(_shaped(text, drawable), drawable,
                                            " or ".join(pair[0] for pair in lang.fonts)))
            findings += _typography_findings(text) if code == languages.DEFAULT else _native_findings(code, text)
            for _, rule, message in findings:
                out.append(Problem(path, line, "locale", f"{key}: {rule}: {message}"))
    reference = catalogs.get(languages.DEFAULT, {})
    for code, catalog in catalogs.items():
        if code != languages.DEFAULT and code in languages.BY_CODE:
            out += _translation_problems(languages.BY_CODE[code], catalog, reference)
    return out


def locale_fallbacks(locales_dir: Path) -> dict[str, list[str]]:
    """For each translation, the French keys it lacks (shown in French), staff texts aside."""
    def keys(code: str) -> set[str]:
        found: set[str] = set()
        for path in sorted((Path(locales_dir) / code).glob("*.json")):
            texts, _ = _read_locale(path, [])
            found |= set(texts or {})
        return found

    french = {_plural_base(key) or key for key in keys(languages.DEFAULT) if not languages.is_staff_key(key)}
    out = {}
    for code in languages.CODES[1:]:
        own = {_plural_base(key) or key for key in keys(code)}
        out[code] = sorted(french - own)
    return out


@dataclass(frozen=True)
class _LocaleText:
    path: Path
    line: int
    text: str


def _read_locale(path: Path, out: list[Problem]) -> tuple[dict | None, str]:
    try:
        source = read_regular_text(path, LOCALE_MAX_BYTES)
        texts = json.loads(source)
    except (OSError, RefusedFileError, UnicodeDecodeError, json.JSONDecodeError) as e:
        out.append(Problem(path, getattr(e, "lineno", 1), "locale", f"cannot read: {e}"))
        return None, ""
    if not isinstance(texts, dict):
        out.append(Problem(path, 1, "locale", "must be one JSON object of key: text"))
        return None, source
    return texts, source


_PLURAL_SUFFIX = re.compile(r"_(zero|one|two|few|many|other)$")


def _plural_base(key: str) -> str | None:
    m = _PLURAL_SUFFIX.search(key)
    return key[:m.start()] if m else None


def _cldr_categories(code: str) -> set[str]:
    return {plural_category(code, n) for n in (*range(0, 200), 1_000_000)}


def _translation_problems(lang: languages.Language, catalog: dict[str, _LocaleText],
                          reference: dict[str, _LocaleText]) -> list[Problem]:
    """Keys, placeholders and plural variants of one translation against French."""
    out: list[Problem] = []
    french_plurals = {_plural_base(k) for k in reference if k.endswith("_other")}
    given: dict[str, set[str]] = {}
    for key, entry in catalog.items():
        def problem(message: str) -> None:
            out.append(Problem(entry.path, entry.line, "locale", f"{key}: {message}"))
        base = _plural_base(key)
        category = key[len(base) + 1:] if base in french_plurals else None
        if languages.is_staff_key(key):
            problem("staff text: it stays in French for the conseillers (kiosk/languages.py); remove it")
        elif category is None and key not in reference:
            problem("not a key of the French catalog: a typo, or a key French no longer has")
        elif category is not None and category not in _cldr_categories(lang.code):
            problem(f"plural « {category} » does not exist in {lang.name} ({lang.code}): "
                    f"its forms are {', '.join(sorted(_cldr_categories(lang.code)))}")
        else:
            if category is not None:
                given.setdefault(base, set()).add(category)
            french = reference.get(key) or reference[f"{base}_other"]
            out += _placeholder_problems(key, entry, french.text, category)
    for base, categories in sorted(given.items()):
        missing = [c for c in lang.plural_needed if c not in categories]
        if missing:
            entry = catalog[f"{base}_{sorted(categories)[0]}"]
            out.append(Problem(entry.path, entry.line, "locale",
                               f"{base}: {lang.name} needs the plural forms {', '.join(lang.plural_needed)}; "
                               f"missing: {', '.join(f'{base}_{c}' for c in missing)}"))
    return out


def _placeholders(text: str) -> set[str]:
    """The {names} of a format string; ValueError if it is not one."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _placeholder_problems(key: str, entry: _LocaleText, french: str, category: str | None) -> list[Problem]:
    def problem(message: str) -> list[Problem]:
        return [Problem(entry.path, entry.line, "locale", f"{key}: placeholder: {message}")]
    try:
        own = _placeholders(entry.text)
    except ValueError as e:
        return problem(f"not a valid text with {{placeholders}} ({e}): write a brace as {{{{ or }}}}")
    want = _placeholders(french)
    if own - want:
        return problem(f"{', '.join(sorted('{' + p + '}' for p in own - want))} is not in the French text, "
                       f"which has {', '.join(sorted('{' + p + '}' for p in want)) or 'none'}")
    # « دقيقة واحدة » (one minute) says its number in words: zero, one and two may drop it.
    if want - own and category not in ("zero", "one", "two"):
        return problem(f"{', '.join(sorted('{' + p + '}' for p in want - own))} is missing: "
                       "the French text shows it")
    return []


_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def _shaped(text: str, drawable: frozenset[int] | None) -> str:
    """text as HarfBuzz (Kivy's SDL2 text, Pillow's raqm) needs glyphs for it: direction
    marks and isolates are never drawn, and a character the font lacks is drawn from its
    canonical decomposition when the font has every part (Atkinson: « İ » as I + U+0307).
    Those characters are dropped; the others are left for the glyph rule."""
    text = text.translate(_BIDI_CONTROLS)
    if drawable is None:
        return text
    def drawn(ch: str) -> bool:
        parts = unicodedata.normalize("NFD", ch)
        return ord(ch) not in drawable and len(parts) > 1 and all(ord(p) in drawable for p in parts)
    return "".join(ch for ch in text if not drawn(ch))


def _native_findings(code: str, text: str) -> Iterator[tuple[int, str, str]]:
    """Typography a machine can check outside French: no French spacing, and Spanish
    opening marks, Arabic punctuation."""
    for i, ch in enumerate(text):
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch in (NBSP, NNBSP) and after in ";:!?":
            yield i, "typography", f"no-break space before « {after} » is a French rule: remove it"
    if code == "es":
        for opening, closing in (("¿", "?"), ("¡", "!")):
            if text.count(opening) != text.count(closing):
                yield text.find(closing), "typography", (
                    f"Spanish opens with « {opening} » every sentence that ends with « {closing} »")
    if code == "ar":
        for latin, arabic in (("?", "؟"), (",", "،"), (";", "؛")):
            at = _outside_placeholders(text).find(latin)
            if at >= 0:
                yield at, "typography", f"« {latin} » in Arabic text: write « {arabic} »"


def _outside_placeholders(text: str) -> str:
    """text with {placeholders} and web addresses blanked, offsets kept."""
    text = _URL_SPAN.sub(lambda m: " " * len(m.group()), text)
    return re.sub(r"\{[^{}]*\}", lambda m: " " * len(m.group()), text)


def _json_key_line(source: str, key: str) -> int:
    m = re.search(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:", source)
    return source.count("\n", 0, m.start()) + 1 if m else 1
