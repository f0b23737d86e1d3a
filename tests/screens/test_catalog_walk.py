"""Walk every procedure of the shipped catalog through every branch, tapping as a visitor."""

from __future__ import annotations

import pytest

from kiosk.config import ASSETS_DIR
from kiosk.content.loader import load_pack
from kiosk.services import Services
from kiosk.session import State
from tests.screens.catalog_paths import all_paths, value_for

PACK = load_pack(ASSETS_DIR / "content")
CASES = [(proc.id, n, path) for proc in sorted(PACK.procedures.values(), key=lambda p: p.id)
         for n, path in enumerate(all_paths(proc))]


def test_every_procedure_has_a_path_to_an_end():
    for proc in PACK.procedures.values():
        assert all_paths(proc), f"{proc.id}: no path reaches an end step"


@pytest.mark.parametrize("procedure_id, n, path", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_walk(make_kiosk, help_desk, procedure_id, n, path):
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    proc = PACK.procedures[procedure_id]
    category = next(c for c in PACK.categories if c.id == proc.category)
    k.tap_at(640, 300)
    k.press(category.title)
    k.press(proc.title)
    for step_id, choice in path:
        assert k.machine.step.id == step_id
        step = k.machine.step
        assert step.title in k.texts()
        if step.kind == "end":
            break
        if step.kind == "question":
            k.press(step.choices[choice].label)
            continue
        if step.kind == "field" and not step.optional:
            field = k.app.root_widget.ids.sm.get_screen("step").field_input
            k.tap(field)
            k.type_text(value_for(step.pattern))
        k.press("Suivant")
    assert k.machine.state is State.SUMMARY
    end = proc.step(path[-1][0])
    shown = k.texts()
    assert end.title in shown
    for line in end.todo:
        assert line in shown
