"""Screen tests drive the real KioskApp in a real (offscreen) Kivy window with real touches."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import Config, KioskSection, PrinterSection
from tests.window_driver import WindowDriver

SHOTS_DIR = Path(__file__).resolve().parents[2] / "out" / "screenshots"


class KioskDriver(WindowDriver):
    """Taps, waits and looks, as a visitor would."""

    def __init__(self, app, window, clock):
        super().__init__(app, window)
        self.clock = clock

    @property
    def machine(self):
        return self.app.machine

    def tap(self, widget) -> None:
        self.scroll_into_view(widget)
        self.tap_at(*widget.to_window(*widget.center))

    def button(self, text: str):
        """The visible button whose label contains text (fails if none or several)."""
        from screens.overlays import Overlay
        from screens.widgets import KButton
        # An open overlay takes every touch: only its own buttons can be pressed.
        overlays = [w for w in self.widgets() if isinstance(w, Overlay)]
        root = overlays[0] if overlays else None
        found = [w for w in self.widgets(root) if isinstance(w, KButton) and text in w.label
                 and w.opacity > 0 and self._on_screen(w)]
        assert len(found) == 1, f"{len(found)} visible buttons contain {text!r}: {[w.label for w in found]}"
        return found[0]

    def _on_screen(self, w) -> bool:
        from kivy.uix.screenmanager import Screen
        node = w
        while node is not None and node is not self.window:  # a Window is its own parent
            if isinstance(node, Screen) and node.manager is not None and node.manager.current_screen is not node:
                return False
            node = node.parent
        return node is self.window

    def press(self, text: str) -> None:
        button = self.button(text)
        assert not button.disabled, f"button {text!r} is disabled"
        self.tap(button)

    def scroll_into_view(self, widget) -> None:
        """Scroll until the widget is wholly inside its ScrollView's visible area. A freshly
        rebuilt list has its height only after a frame, so let layout settle and retry."""
        from kivy.uix.scrollview import ScrollView
        node = widget.parent
        while node is not None and node is not self.window and not isinstance(node, ScrollView):
            node = node.parent
        if not isinstance(node, ScrollView):
            return
        content = node.children[0]
        for _ in range(5):
            self.frames(2)
            # Where a visitor's drag would leave it: the widget centred in the view.
            _, y_in_content = content.to_widget(*widget.to_window(widget.x, widget.y))
            travel = content.height - node.height
            if travel > 0:
                bottom = y_in_content + widget.height / 2 - node.height / 2
                target = min(1.0, max(0.0, bottom / travel))
                # The scroll effect writes scroll_y = -effect.scroll / travel whenever it moves
                # (a leftover velocity, a spring back after the view changed size): put the
                # effect where the list should be, still, as a finger holding it would.
                node.effect_y.velocity = 0
                node.effect_y.value = -target * travel
                node.scroll_y = target
            self.frames(2)
            _, wy = widget.to_window(widget.x, widget.y)
            _, sy = node.to_window(node.x, node.y)
            if wy >= sy - 1 and wy + widget.height <= sy + node.height + 1:
                return
        raise AssertionError(f"could not scroll {getattr(widget, 'label', widget)!r} into view: "
                             f"widget y={wy} h={widget.height}, view y={sy} h={node.height}, "
                             f"content h={content.height}, scroll_y={node.scroll_y}")

    def texts(self) -> str:
        """All text currently shown, for assertions on what the visitor reads."""
        from kivy.uix.label import Label
        return "\n".join(w.text for w in self.widgets() if isinstance(w, Label) and w.opacity > 0
                         and self._on_screen(w))

    def screenshot(self, name: str) -> Path:
        """Save what the window shows as out/screenshots/<name>.png (for people to look at)."""
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        self.frames(2)
        # Window.screenshot appends a counter to the name; keep one stable file per name.
        taken = Path(self.window.screenshot(str(SHOTS_DIR / f"{name}.png")))
        final = SHOTS_DIR / f"{name}.png"
        taken.replace(final)
        return final

    def type_text(self, text: str) -> None:
        """Tap each character's key on the on-screen keyboard, Shift included."""
        from screens.keyboard import KioskKeyboard
        keyboards = [w for w in self.widgets() if isinstance(w, KioskKeyboard)]
        assert len(keyboards) == 1, "no on-screen keyboard"
        kb = keyboards[0]
        for char in text:
            try:
                self.tap_at(*kb.key_center("spacebar" if char == " " else char))
            except KeyError:
                self._tap_shifted(kb, char)

    def _tap_shifted(self, kb, char: str) -> None:
        self.tap_at(*kb.key_center("Majuscule"))
        self.tap_at(*kb.key_center(char))
        self.tap_at(*kb.key_center("Majuscule"))


def make_config(tmp_path: Path, **printer) -> Config:
    return Config(kiosk=KioskSection(data_dir=tmp_path, name="Borne test", place="Médiathèque de Lens"),
                  printer=PrinterSection(**printer))


@pytest.fixture
def make_kiosk(window, real_pack, fake_clock, tmp_path, monkeypatch):
    """make_kiosk(services=..., cfg=...) -> KioskDriver over a freshly built app."""
    from kivy.app import App

    from kiosk.app import KioskApp, _CalmFrameRate

    # Tests advance a fake clock for seconds without a touch: keep the full frame rate.
    # test_calm_frame_rate.py sets its own limit in the test body, after this.
    monkeypatch.setattr(_CalmFrameRate, "CALM_AFTER_S", float("inf"))
    # The startup collection walks every object of this long test process (seconds, late in a
    # full run): run it before the first tap, not in the middle of one.
    monkeypatch.setattr(KioskApp, "READY_AFTER_S", 0)

    apps = []

    def make(services, cfg=None, pack=None):
        cfg = cfg or make_config(tmp_path)
        app = KioskApp(cfg, pack or real_pack, services=services, clock=fake_clock)
        app._run_prepare()
        apps.append(app)
        driver = KioskDriver(app, window, fake_clock)
        driver.frames(3)
        return driver

    yield make
    for app in apps:
        app.shutdown()
    App._running_app = None
    for app in apps:
        assert not app.failures, f"the app hit the failsafe: {app.failures!r}"
