"""Typed, read-only view of a content pack once it has been validated."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    label: str
    help: str | None = None


@dataclass(frozen=True)
class Choice:
    label: str
    next: str


@dataclass(frozen=True)
class Step:
    id: str
    kind: str  # info | checklist | question | field | link | end
    title: str
    text: str | None = None
    image: Path | None = None
    next: str | None = None
    idle_timeout_s: int | None = None
    site: str | None = None  # the official page this step is done on
    image_alt: str | None = None  # what the image shows, for speech
    items: tuple[ChecklistItem, ...] = ()
    papers: bool = False  # a checklist of papers to gather (not of gestures or checks)
    choices: tuple[Choice, ...] = ()
    # field steps
    label: str | None = None
    personal: bool = False
    pattern: str | None = None
    pattern_help: str | None = None
    mask: str = "last4"
    keyboard: str = "text"
    optional: bool = False
    receipt_label: str | None = None
    # link steps
    link: Link | None = None
    # end steps
    done: tuple[str, ...] = ()
    todo: tuple[str, ...] = ()
    bring: tuple[str, ...] = ()
    where: str | None = None

    def successors(self) -> tuple[str, ...]:
        if self.kind == "question":
            return tuple(c.next for c in self.choices)
        return (self.next,) if self.next else ()


@dataclass(frozen=True)
class Procedure:
    id: str
    category: str
    title: str
    summary: str
    keywords: tuple[str, ...]
    duration_min: int
    before_you_start: tuple[str, ...]
    links: tuple[Link, ...]
    popularity: int
    steps: tuple[Step, ...]
    source: Path
    checked_on: str | None = None  # YYYY-MM-DD: facts last checked against `sources`
    sources: tuple[str, ...] = ()
    # The language of its texts: "fr", or a translation's (content/translations.py).
    language: str = "fr"
    older_source: bool = False  # translated from an older French text than the one beside it
    review: str = ""  # a translation's review: machine | native
    _by_id: dict[str, Step] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({s.id: s for s in self.steps})

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        return self._by_id[step_id]

    @property
    def main_link(self) -> Link | None:
        """The official link printed as a QR code: the first link step's, else the first listed."""
        for s in self.steps:
            if s.link:
                return s.link
        return self.links[0] if self.links else None

    def link_on_path(self, path: list[str] | tuple[str, ...]) -> Link | None:
        """The link to show on the summary: the last link step the visitor went through (on
        a branch, the site of that branch; after a pré-demande, the rendez-vous site that
        comes next), else the procedure's main link."""
        for step_id in reversed(path):
            step = self._by_id.get(step_id)
            if step is not None and step.link:
                return step.link
        return self.main_link

    def remaining_steps(self, step_id: str) -> int:
        """Steps left after step_id on the longest path to an end (cycles counted once)."""
        memo: dict[str, int] = {}

        def longest(sid: str, seen: frozenset[str]) -> int:
            if sid in memo:
                return memo[sid]
            nexts = [n for n in self.step(sid).successors() if n not in seen]
            best = max((1 + longest(n, seen | {n}) for n in nexts), default=0)
            memo[sid] = best
            return best

        return longest(step_id, frozenset({step_id}))


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    icon: str  # a Material Design Icons name
    order: int


@dataclass(frozen=True)
class ContentPack:
    root: Path
    categories: tuple[Category, ...]
    procedures: dict[str, Procedure]
    # By language, by procedure id: the procedure with a translation's texts laid over it.
    translations: dict[str, dict[str, Procedure]] = field(default_factory=dict)
    category_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    # Not problems: a translation made from an older French text still shows, marked.
    warnings: tuple = ()
    # By (language, procedure id): a checked translation not yet laid over its French
    # procedure. The kiosk's start lays none (0.1-0.2 s of it on this machine); each is laid
    # on first use, or between frames once the kiosk is up (lay_over_next).
    pending: dict[tuple[str, str], Callable[[], Procedure]] = field(default_factory=dict, compare=False)
    _laying: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def procedure_in(self, procedure_id: str, language: str) -> Procedure:
        """The procedure in `language` when translated, else the French one (never hidden)."""
        translated = self.translations.get(language, {}).get(procedure_id)
        if translated is None and self.pending:
            translated = self._lay_over(language, procedure_id)
        return translated if translated is not None else self.procedures[procedure_id]

    def _lay_over(self, language: str, procedure_id: str) -> Procedure | None:
        with self._laying:
            make = self.pending.pop((language, procedure_id), None)
            if make is not None:
                self.translations.setdefault(language, {})[procedure_id] = make()
            return self.translations.get(language, {}).get(procedure_id)

    def lay_over_next(self) -> bool:
        """Lay one pending translation over its procedure; False once none is left."""
        with self._laying:
            if not self.pending:
                return False
            language, procedure_id = next(iter(self.pending))
        self._lay_over(language, procedure_id)
        return True

    def categories_in(self, language: str) -> tuple[Category, ...]:
        """The categories with their titles in `language`; a title not translated stays French."""
        titles = self.category_titles.get(language)
        if not titles:
            return self.categories
        return tuple(replace(c, title=titles.get(c.id, c.title)) for c in self.categories)

    def in_category(self, category_id: str) -> list[Procedure]:
        found = [p for p in self.procedures.values() if p.category == category_id]
        return sorted(found, key=lambda p: (-p.popularity, p.title))
