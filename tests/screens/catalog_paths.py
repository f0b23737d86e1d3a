"""Every path through a procedure, from the content itself: used by the catalog walk test
and the privacy canary test."""

from __future__ import annotations

import re

from kiosk.content.model import Procedure

# Values tried, in order, for a field that must match its pattern.
SAMPLE_VALUES = ("AB12CD34EF", "marie.dupont@exemple.fr", "0612345678", "75001", "12345678901",
                 "1234", "Dupont")


def value_for(pattern: str | None, canary: str | None = None) -> str:
    """A value the field accepts; with a canary, one that contains it."""
    candidates = []
    if canary:
        candidates += [canary, f"{canary}@exemple.fr", canary.upper()[:10].ljust(10, "Z")]
    candidates += list(SAMPLE_VALUES)
    for value in candidates:
        if pattern is None or re.fullmatch(pattern, value):
            return value
    raise AssertionError(f"no sample value matches {pattern!r}: add one to SAMPLE_VALUES")


def all_paths(proc: Procedure) -> list[list[tuple[str, int | None]]]:
    """Each path as [(step_id, choice_index or None), ...] ending on an end step."""
    paths = []

    def walk(step_id: str, path: list, seen: frozenset) -> None:
        step = proc.step(step_id)
        if step.kind == "end":
            paths.append(path + [(step_id, None)])
            return
        if step.kind == "question":
            for i, choice in enumerate(step.choices):
                if choice.next not in seen:
                    walk(choice.next, path + [(step_id, i)], seen | {choice.next})
        elif step.next and step.next not in seen:
            walk(step.next, path + [(step_id, None)], seen | {step.next})

    walk(proc.first_step.id, [], frozenset({proc.first_step.id}))
    return paths
