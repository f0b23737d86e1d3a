"""Kivy's loop slows down when nobody touches the kiosk, and is back at full rate on the
first touch (issue 11: 60 wake-ups a second cost 1.5-2 % of a core on an idle screen)."""

from __future__ import annotations

import time

from kivy.clock import Clock

from kiosk.services import Services


def test_the_loop_calms_down_without_touches_and_wakes_on_the_first(make_kiosk, help_desk, monkeypatch):
    from kiosk.app import _CalmFrameRate
    monkeypatch.setattr(_CalmFrameRate, "CALM_AFTER_S", 0.3)
    full = Clock._max_fps
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    assert full > _CalmFrameRate.CALM_FPS
    assert k.wait_for(lambda: Clock._max_fps == _CalmFrameRate.CALM_FPS, timeout_s=3)
    started = time.monotonic()
    k.frames(6)
    # Six wake-ups at the calm rate take about 6/CALM_FPS seconds (0.6 s), not 6/60 (0.1 s).
    assert time.monotonic() - started >= 4 / _CalmFrameRate.CALM_FPS
    k.tap_at(640, 300)
    assert Clock._max_fps == full
    assert k.machine.state.value == "home"
    k.app.shutdown()
    assert Clock._max_fps == full
