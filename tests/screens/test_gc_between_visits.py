"""Python's full garbage collection runs between visits, not on a visitor's tap (issue 11:
an automatic full pass took 0.1-0.3 s on whichever tap allocated last)."""

from __future__ import annotations

import gc
import time

from kiosk.services import Services
from kiosk.session import State


def full_collections(k, seconds: float, during=None) -> int:
    """Full (generation 2) collections while frames run for `seconds`."""
    seen = []

    def watch(phase, info):
        if phase == "start" and info["generation"] == 2:
            seen.append(info)

    gc.callbacks.append(watch)
    try:
        if during is not None:
            during()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            k.frames(1)
    finally:
        gc.callbacks.remove(watch)
    return len(seen)


def test_no_automatic_full_collection_during_a_visit_one_after_it(make_kiosk, help_desk):
    default = gc.get_threshold()
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.wait_for(lambda: gc.get_freeze_count() > 0, timeout_s=3)  # ready: start-up objects frozen
    k.tap_at(640, 300)
    assert k.machine.state is State.HOME

    def allocate_a_lot():  # cycles, as widget trees make: enough for many automatic passes
        for _ in range(300_000):
            a = []
            a.append(a)

    assert full_collections(k, 0.2, allocate_a_lot) == 0
    assert full_collections(k, 1.5, k.app.controller.end_session) == 1
    assert k.machine.state is State.GOODBYE
    k.app.shutdown()
    assert gc.get_threshold() == default and gc.get_freeze_count() == 0
