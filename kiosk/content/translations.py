"""Procedure translations: checked against the French file, then laid over it key by key.

A translation (assets/content/translations/<lang>/<id>.yaml, docs/CONTENT.md) holds only
what a visitor reads, keyed by step id and item id, with lists in the French order. The
French procedure stays the reference for everything else (ids, kinds, next, urls,
patterns): a translation cannot change where a visitor goes, only what they read. A text a
translation lacks is taken from French, so a half-finished file still shows.

This module is pure (no file reading): the loader reads and bounds the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from kiosk.content.model import ChecklistItem, Choice, Link, Procedure, Step
from kiosk.content.problems import Problem

FRENCH = "fr"
# i18n keys (assets/locales/<lang>/LC_MESSAGES/content.po) of the notes shown with a procedure.
NOTE_IN_FRENCH = "content.in_french"
NOTE_SITE_IN_FRENCH = "content.site_in_french"
NOTE_OLDER_SOURCE = "content.older_source"

# Texts of a step, by translation key: the French step's attribute of the same name.
_STEP_TEXTS = ("title", "text", "image_alt", "label", "receipt_label", "pattern_help", "where")
_STEP_LISTS = ("bring", "done", "todo")


def source_sha256(french_bytes: bytes) -> str:
    """What a translation's source_sha256 holds: the first 16 hex digits of the French file's."""
    return hashlib.sha256(french_bytes).hexdigest()[:16]


def notes(proc: Procedure, language: str) -> tuple[str, ...]:
    """The i18n keys of the notes a visitor in `language` sees with this procedure.

    Shown in French to a visitor who chose another language: « en français ». Translated:
    the official site stays in French (said once, with the procedure's first step), and a
    translation made from an older French text says so.
    """
    if language == FRENCH:
        return ()
    if proc.language == FRENCH:
        return (NOTE_IN_FRENCH,)
    return (NOTE_SITE_IN_FRENCH,) + ((NOTE_OLDER_SOURCE,) if proc.older_source else ())


# ----- matching against the French file ---------------------------------------------------

Line = Callable[[tuple], int]


def match_problems(path: Path, line: Line, tr: dict[str, Any], proc: Procedure, lang: str) -> list[Problem]:
    """What in the translation does not match the French procedure: one problem each."""
    out: list[Problem] = []

    def bad(at: tuple, what: str) -> None:
        key = "/".join(str(a) for a in at) or "(top)"
        out.append(Problem(path, line(at), "translation-match", f"{key}: {what}"))

    if tr["id"] != proc.id:
        bad(("id",), f"« {tr['id']} » but the French file's id is « {proc.id} »")
    if tr["lang"] != lang:
        bad(("lang",), f"« {tr['lang']} » in the folder of « {lang} »")
    for key, french in (("before_you_start", proc.before_you_start), ("links", proc.links)):
        if key in tr and len(tr[key]) != len(french):
            bad((key,), f"{len(tr[key])} items; the French file has {len(french)}")
    french_steps = {s.id: s for s in proc.steps}
    for step_id, tr_step in tr["steps"].items():
        step = french_steps.get(step_id)
        if step is None:
            bad(("steps", step_id), "no step with this id in the French file")
            continue
        _step_problems(("steps", step_id), tr_step, step, bad)
    return out


def _step_problems(at: tuple, tr: dict[str, Any], step: Step, bad: Callable[[tuple, str], None]) -> None:
    for key in _STEP_TEXTS:
        if key in tr and not getattr(step, key):
            bad(at + (key,), f"the French step has no {key}")
    for key in _STEP_LISTS:
        if key in tr and len(tr[key]) != len(getattr(step, key)):
            bad(at + (key,), f"{len(tr[key])} items; the French step has {len(getattr(step, key))}")
    if "choices" in tr and len(tr["choices"]) != len(step.choices):
        bad(at + ("choices",), f"{len(tr['choices'])} choices; the French step has {len(step.choices)}")
    if "link" in tr and step.link is None:
        bad(at + ("link",), "the French step has no link")
    items = {i.id: i for i in step.items}
    for item_id, tr_item in tr.get("items", {}).items():
        if item_id not in items:
            bad(at + ("items", item_id), "no item with this id in the French step")
        elif "help" in tr_item and not items[item_id].help:
            bad(at + ("items", item_id, "help"), "the French item has no help")


def untranslated(tr: dict[str, Any], proc: Procedure) -> list[str]:
    """The keys of the French texts this translation leaves in French (not problems: they
    are shown in French; the validator lists them for the translator)."""
    out = [k for k in ("summary", "keywords", "before_you_start") if getattr(proc, k) and k not in tr]
    if proc.links and "links" not in tr:
        out.append("links")
    for step in proc.steps:
        t = tr["steps"].get(step.id, {})
        at = f"steps/{step.id}/"
        out += [at + k for k in (*_STEP_TEXTS, *_STEP_LISTS) if getattr(step, k) and k not in t]
        if step.choices and "choices" not in t:
            out.append(at + "choices")
        if step.link and "link" not in t:
            out.append(at + "link")
        items = t.get("items", {})
        for item in step.items:
            if item.id not in items:
                out.append(f"{at}items/{item.id}")
            elif item.help and "help" not in items[item.id]:
                out.append(f"{at}items/{item.id}/help")
    return out


# ----- laying a translation over the French procedure ------------------------------------

def apply(proc: Procedure, tr: dict[str, Any], older_source: bool) -> Procedure:
    """The procedure with the translation's texts; every text it lacks stays French."""
    links = tr.get("links")
    steps = tr["steps"]
    return replace(
        proc,
        title=tr["title"], summary=tr.get("summary", proc.summary),
        # French keywords stay too: a visitor may type the French word they saw on a letter.
        keywords=tuple(tr.get("keywords", ())) + proc.keywords,
        before_you_start=tuple(tr.get("before_you_start", proc.before_you_start)),
        links=tuple(Link(label, link.url) for label, link in zip(links, proc.links)) if links else proc.links,
        steps=tuple(_apply_step(s, steps[s.id]) if s.id in steps else s for s in proc.steps),
        language=tr["lang"], older_source=older_source, review=tr["review"],
        _by_id={},
    )


def _apply_step(step: Step, tr: dict[str, Any]) -> Step:
    changes: dict[str, Any] = {k: tr[k] for k in _STEP_TEXTS if k in tr}
    changes.update({k: tuple(tr[k]) for k in _STEP_LISTS if k in tr})
    if "choices" in tr:
        changes["choices"] = tuple(Choice(label, c.next) for label, c in zip(tr["choices"], step.choices))
    if "link" in tr and step.link is not None:
        changes["link"] = Link(tr["link"]["label"], step.link.url)
    if "items" in tr:
        items = tr["items"]
        changes["items"] = tuple(
            ChecklistItem(i.id, items[i.id]["label"], items[i.id].get("help", i.help)) if i.id in items else i
            for i in step.items)
    return replace(step, **changes)
