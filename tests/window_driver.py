"""Drives the real (offscreen) Kivy window the way a finger does: frames, waits, taps."""

from __future__ import annotations

import time

from kiosk.config import Config


def open_window():
    """The one Kivy window of the test process (Kivy cannot open a second)."""
    from kiosk.app import configure_kivy
    configure_kivy(Config())  # before kivy.core.window is imported
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

    def wait_for(self, predicate, timeout_s: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.frames(1)
            if predicate():
                return True
            time.sleep(0.01)
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
