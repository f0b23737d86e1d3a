"""The facts of a procedure that can go out of date, listed for the person who checks them.

A fact here is a visitor-facing line that holds a figure (an amount, a delay, a phone
number, a date), a month, or a price word (« gratuit », « payant »): the lines that were
wrong when the catalog was reviewed (issue 17: a help line « gratuit » that was not, a
delay of « quelques jours » that is 48 hours). `kiosk content facts` prints them per
procedure, with the date it was last checked and its sources, so that a conseillère can
confirm them against the official sites before real use and at every yearly review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kiosk.content.model import ContentPack, Procedure, Step

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
FACT = re.compile(r"\d|€|%|\b(?:" + "|".join(MONTHS) + r"|gratuite?s?|payante?s?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ProcedureFacts:
    procedure_id: str
    title: str
    checked_on: str
    sources: tuple[str, ...]
    facts: tuple[str, ...]


def _step_texts(step: Step) -> Iterator[str]:
    yield step.title
    for text in (step.text, step.label, step.pattern_help, step.receipt_label, step.where):
        if text:
            yield text
    for item in step.items:
        yield item.label
        if item.help:
            yield item.help
    yield from (choice.label for choice in step.choices)
    if step.link:
        yield step.link.label
    yield from step.done
    yield from step.todo
    yield from step.bring


def _texts(procedure: Procedure) -> Iterator[str]:
    yield procedure.title
    yield procedure.summary
    yield from procedure.before_you_start
    for step in procedure.steps:
        yield from _step_texts(step)


def procedure_facts(procedure: Procedure) -> ProcedureFacts:
    facts: list[str] = []
    for text in _texts(procedure):
        for line in text.splitlines():
            line = line.strip()
            # Once per procedure: an end step often repeats a step's delay word for word.
            if FACT.search(line) and line not in facts:
                facts.append(line)
    return ProcedureFacts(procedure.id, procedure.title, str(procedure.checked_on or "never"),
                          tuple(procedure.sources), tuple(facts))


def pack_facts(pack: ContentPack) -> list[ProcedureFacts]:
    """Oldest check first: what is most likely out of date is read first."""
    found = [procedure_facts(p) for p in pack.procedures.values()]
    return sorted(found, key=lambda f: (f.checked_on, f.procedure_id))


def as_markdown(all_facts: list[ProcedureFacts]) -> str:
    lines = ["# Facts to confirm before real use", "",
             f"{sum(len(f.facts) for f in all_facts)} lines in {len(all_facts)} procedures, oldest check first.",
             ""]
    for entry in all_facts:
        lines.append(f"## {entry.title} (`{entry.procedure_id}`, checked {entry.checked_on})")
        lines.append("Sources: " + (", ".join(entry.sources) or "none"))
        lines += [f"- [ ] {fact}" for fact in entry.facts] or ["- (no dated or numbered fact)"]
        lines.append("")
    return "\n".join(lines)
