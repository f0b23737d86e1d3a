"""Drives the real (offscreen) Kivy window the way a finger does: frames, waits, taps."""

from __future__ import annotations

import os
import time

from kiosk.config import Config, DisplaySection


def open_window():
    """The one Kivy window of the test process (Kivy cannot open a second). Its size is
    KIOSK_TEST_WINDOW ("1920x1080") when set: the offscreen window draws only within the
    size it was opened at, so a test needing another size runs in a process of its own
    (tests/screens/test_visitor_truth_2.py in_window_of)."""
    from kiosk.app import configure_kivy
    cfg = Config()
    size = os.environ.get("KIOSK_TEST_WINDOW")
    if size:
        width, height = (int(n) for n in size.split("x"))
        cfg = Config(display=DisplaySection(window_width_px=width, window_height_px=height))
    configure_kivy(cfg)  # before kivy.core.window is imported
    from kivy.base import EventLoop
    EventLoop.ensure_window()
    return EventLoop.window


class WindowDriver:
    def __init__(self, app, window):
        self.app, self.window = app, window

    def frames(self, count: int = 2) -> None:
        from kivy.base import EventLoop
        for _ in range(count):
            EventLoop.idle()

    def wait_for(self, predicate, timeout_s: float = 15.0) -> bool:
        # An upper bound: it returns as soon as predicate holds. A loaded CI machine draws a
        # frame a second at times, so a short bound failed tests that were right.
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.frames(1)
            if predicate():
                return True
            time.sleep(0.01)
        self.frames(1)  # one frame may have taken the whole wait: give it its turn
        return predicate()

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(1)
        touch.touch_up()
        self.frames(2)

    def widgets(self, root=None):
        stack = [root or self.window]
        while stack:
            w = stack.pop()
            yield w
            stack.extend(w.children)
