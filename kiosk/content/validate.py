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

import io
import json
import os
import re
import shutil
import stat
import string
import subprocess
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
from kiosk.files import RefusedFileError, read_regular_file
from kiosk.i18n import po_files

FONTS_DIR = ASSETS_DIR / "fonts"
# The app draws body text in Regular and titles in Bold: a character must exist in both.
TEXT_FONTS = ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf")
ICON_CODEPOINTS = "materialdesignicons-codepoints.json"

IMAGE_MAX_BYTES = 4 * 1024 * 1024
LOCALE_MAX_BYTES = 256 * 1024  # the largest shipped .po file is under 11 kB
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
    """Every rule of assets/locales/<lang>/LC_MESSAGES/*.po: readable (Babel, then
    `msgfmt --check` where gettext is installed), a msgctxt (the key) on every entry, each
    key in one file, glyphs the language's fonts can draw, typography (French rules in fr,
    each language's own elsewhere), and for a translation: only French keys, the French
    text as msgid (else the translation is stale), the same placeholders, every plural form
    of its Plural-Forms header, no staff text (those stay in French). Keys a translation
    lacks or leaves empty are not problems: they show in French (locale_fallbacks)."""
    out: list[Problem] = []
    catalogs: dict[str, dict[str, _LocaleText]] = {}
    for folder in sorted(p for p in Path(locales_dir).iterdir() if p.is_dir()):
        code = folder.name
        for path in sorted(folder.rglob("*.json")):
            out.append(Problem(path, 1, "locale", "a JSON catalog is not read any more (issue 15): its texts "
                               f"belong in {folder / 'LC_MESSAGES'}/<part>.po (docs/CONTENT.md)"))
        if code not in languages.BY_CODE:
            out.append(Problem(folder, 1, "locale", f"unknown language folder « {code} »: "
                               f"the kiosk speaks {', '.join(languages.CODES)} (kiosk/languages.py)"))
            continue
        catalogs[code] = _language_texts(languages.BY_CODE[code], folder, fonts_dir, out)
    reference = catalogs.get(languages.DEFAULT, {})
    for code, catalog in catalogs.items():
        if code != languages.DEFAULT:
            out += _translation_problems(languages.BY_CODE[code], catalog, reference)
    # gettext's own checker as well, on each file ours passed (the same fault, said once).
    faulty = {p.file for p in out}
    for path in sorted(path for catalog in catalogs.values() for path in {e.path for e in catalog.values()}):
        if path not in faulty:
            out += _msgfmt_problems(path)
    return out


def locale_fallbacks(locales_dir: Path) -> dict[str, list[str]]:
    """For each translation, the French keys it shows in French, staff texts aside: missing,
    empty, fuzzy, or stale (its msgid is no longer the French text)."""
    def texts(code: str) -> dict[str, _LocaleText]:
        found: dict[str, _LocaleText] = {}
        for path in po_files(Path(locales_dir) / code):
            catalog = _read_po(path, [])
            for entry in _entries(path, catalog) if catalog is not None else ():
                found.setdefault(entry.key, entry)
        return found

    french = texts(languages.DEFAULT)
    out = {}
    for code in languages.CODES[1:]:
        own = texts(code)
        out[code] = sorted(key for key, entry in french.items() if not languages.is_staff_key(key)
                           and (key not in own or not own[key].translated or own[key].msgid != entry.msgid))
    return out


@dataclass(frozen=True)
class _LocaleText:
    path: Path
    line: int
    key: str
    msgid: str | tuple[str, ...]  # (one, other) for a plural entry
    forms: tuple[str, ...]  # msgstr, or msgstr[0..n-1]
    plural: bool
    fuzzy: bool
    plural_expr: str
    num_plurals: int

    @property
    def translated(self) -> bool:
        return any(self.forms) and not self.fuzzy


def _read_po(path: Path, out: list[Problem]):
    """path as a Babel catalog, or None with one problem: file, line, what."""
    from babel.messages.pofile import PoFileError, read_po
    try:
        source = read_regular_file(path, LOCALE_MAX_BYTES)
        return read_po(io.BytesIO(source), abort_invalid=True)
    except PoFileError as e:
        out.append(Problem(path, e.lineno + 1, "locale", f"cannot read: {e}"))
    except (OSError, RefusedFileError, UnicodeDecodeError, ValueError) as e:
        out.append(Problem(path, 1, "locale", f"cannot read: {e}"))
    return None


def _entries(path: Path, catalog) -> Iterator[_LocaleText]:
    for message in list(catalog)[1:]:  # [0] is the header
        plural = message.pluralizable
        forms = tuple(message.string) if plural else (message.string,)
        yield _LocaleText(path, message.lineno or 1, message.context or "", message.id, forms, plural,
                          message.fuzzy, catalog.plural_expr, catalog.num_plurals)


def _language_texts(lang: languages.Language, folder: Path, fonts_dir: Path,
                    out: list[Problem]) -> dict[str, _LocaleText]:
    """One language's entries by key; their file-level, glyph and typography problems into out."""
    drawable = _chain_drawable(fonts_dir, lang.fonts)
    fonts = " or ".join(pair[0] for pair in lang.fonts)
    french = lang.code == languages.DEFAULT
    texts: dict[str, _LocaleText] = {}
    for path in po_files(folder):
        catalog = _read_po(path, out)
        if catalog is None:
            continue
        out += _header_problems(lang, path, catalog)
        for entry in _entries(path, catalog):
            def problem(message: str) -> None:
                out.append(Problem(path, entry.line, "locale", f"{entry.key or entry.msgid}: {message}"))
            if not entry.key:
                problem("no msgctxt: each entry's msgctxt is the key the code asks for")
                continue
            if entry.key in texts:
                problem(f"key already in {texts[entry.key].path.name}: a key belongs to one file")
                continue
            texts[entry.key] = entry
            msgids = entry.msgid if entry.plural else (entry.msgid,)
            if french and any(entry.forms) and entry.forms[:len(msgids)] != msgids:
                problem("in French, msgstr repeats msgid (French is the reference)")
            shown = msgids if french else [form for form in entry.forms if form]
            for text in dict.fromkeys(shown):
                findings = list(_glyph_findings(_shaped(text, drawable), drawable, fonts))
                findings += _typography_findings(text) if french else _native_findings(lang.code, text)
                for _, rule, message in findings:
                    problem(f"{rule}: {message}")
    return texts


def _header_problems(lang: languages.Language, path: Path, catalog) -> list[Problem]:
    from babel.messages.plurals import get_plural
    expected = get_plural(lang.cldr).plural_forms
    if catalog.plural_forms != expected:
        return [Problem(path, 1, "locale", f"Plural-Forms « {catalog.plural_forms} » is not CLDR's for "
                        f"{lang.cldr}: write « {expected} » (babel.messages.plurals.get_plural)")]
    return []


def _msgfmt_problems(path: Path) -> list[Problem]:
    """`msgfmt --check` (apt package gettext) where installed: one problem an error it prints
    (its warnings are about header fields the kiosk does not use)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return []
    try:
        done = subprocess.run([msgfmt, "--check", "-o", os.devnull, str(path)], capture_output=True, text=True,
                              errors="replace", timeout=10, stdin=subprocess.DEVNULL,
                              env={"LC_ALL": "C", "PATH": os.defpath})  # its messages in English
    except (OSError, subprocess.TimeoutExpired) as e:
        return [Problem(path, 1, "locale", f"msgfmt --check did not run: {e}")]
    out = []
    for line in done.stderr.splitlines():
        m = re.match(rf"{re.escape(str(path))}:(\d+):(?:\d+:)? (.*)", line)
        if m and not m.group(2).startswith("warning:"):
            out.append(Problem(path, int(m.group(1)), "locale", f"msgfmt: {m.group(2)}"))
    if done.returncode and not out:
        out.append(Problem(path, 1, "locale", f"msgfmt --check failed: {done.stderr.strip()[-200:]}"))
    return out


def _form_categories(lang: languages.Language, entry: _LocaleText) -> list[set[str]]:
    """The CLDR categories each msgstr[i] of entry's file takes (its Plural-Forms formula on
    sample numbers, each number's category by Babel's CLDR rule)."""
    import gettext

    from babel import Locale
    rule = Locale.parse(lang.cldr).plural_form
    formula = gettext.c2py(entry.plural_expr)
    out: list[set[str]] = [set() for _ in range(entry.num_plurals)]
    for n in range(0, 1_200):
        index = formula(n)
        if 0 <= index < len(out):
            out[index].add(rule(n))
    return out


def _translation_problems(lang: languages.Language, catalog: dict[str, _LocaleText],
                          reference: dict[str, _LocaleText]) -> list[Problem]:
    """Keys, msgids, placeholders and plural forms of one translation against French."""
    out: list[Problem] = []
    for key, entry in catalog.items():
        def problem(message: str) -> None:
            out.append(Problem(entry.path, entry.line, "locale", f"{key}: {message}"))
        french = reference.get(key)
        if languages.is_staff_key(key):
            if any(entry.forms):
                problem("staff text: it stays in French for the conseillers (kiosk/languages.py); remove it")
        elif french is None:
            problem("not a key of the French catalog: a typo, or a key French no longer has")
        elif entry.plural != french.plural:
            problem("a plural entry in French (msgid_plural, msgstr[0..n-1]): the translation needs the same"
                    if french.plural else "not a plural entry in French: the translation has no msgid_plural")
        elif entry.msgid != french.msgid:
            now = " / ".join(french.msgid) if french.plural else french.msgid
            problem(f"stale: the French changed; translation to check (French now « {now} »): translate it "
                    "again and copy the French into msgid")
        elif any(entry.forms):
            out += _forms_problems(lang, key, entry, french)
    return out


def _forms_problems(lang: languages.Language, key: str, entry: _LocaleText, french: _LocaleText) -> list[Problem]:
    if not entry.plural:
        return _placeholder_problems(key, entry, entry.forms[0], french.msgid, None)
    # Babel reads msgstr[0..n-1] as the Plural-Forms header says: a missing form is empty,
    # one too many a file it cannot read.
    out: list[Problem] = []
    categories = _form_categories(lang, entry)
    french_text = " ".join(french.msgid)  # what either French form shows
    for i, (form, named) in enumerate(zip(entry.forms, categories)):
        label = f"{key} msgstr[{i}] ({', '.join(sorted(named)) or 'no number'})"
        if not form:
            out.append(Problem(entry.path, entry.line, "locale", f"{label}: empty: every plural form of "
                               f"{lang.name} needs a text, or leave them all empty for French"))
            continue
        # « دقيقة واحدة » (one minute) says its number in words: zero, one and two may drop it.
        out += _placeholder_problems(label, entry, form, french_text, named <= {"zero", "one", "two"} and named)
    return out


def _placeholders(text: str) -> set[str]:
    """The {names} of a format string; ValueError if it is not one."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _placeholder_problems(key: str, entry: _LocaleText, text: str, french: str,
                          may_drop: bool | set[str] | None) -> list[Problem]:
    def problem(message: str) -> list[Problem]:
        return [Problem(entry.path, entry.line, "locale", f"{key}: placeholder: {message}")]
    try:
        own = _placeholders(text)
    except ValueError as e:
        return problem(f"not a valid text with {{placeholders}} ({e}): write a brace as {{{{ or }}}}")
    try:
        want = _placeholders(french)
    except ValueError:
        return []  # the French text's own problem
    if own - want:
        return problem(f"{', '.join(sorted('{' + p + '}' for p in own - want))} is not in the French text, "
                       f"which has {', '.join(sorted('{' + p + '}' for p in want)) or 'none'}")
    if want - own and not may_drop:
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
