"""Builds the kiosk's widget tree, and lists what only the widgets can wipe.

Importing this module opens the window (kivy.uix.textinput imports kivy.core.window),
so kiosk/app.py imports it from App.build, after configure_kivy has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kivy.cache import Cache
from kivy.core.clipboard import Clipboard
from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition

from screens import KV_DIR
from screens.attract import AttractScreen
from screens.conseiller import ConseillerCorner, ConseillerPanel
from screens.home import HomeScreen
from screens.overlays import ConfirmLeave, HelpPanel, IdleWarning
from screens.root import KioskRoot
from screens.step import StepScreen
from screens.summary import SummaryScreen

KV_FILES = ("widgets", "root", "overlays", "attract", "home", "step", "summary")
# TextInput caches each rendered line for 60 s under a key made of its text.
TEXT_CACHES = ("textinput.label", "textinput.width")


@dataclass
class Widgets:
    root: KioskRoot
    idle_overlay: IdleWarning
    help_overlay: HelpPanel
    leave_overlay: ConfirmLeave
    conseiller_panel: ConseillerPanel | None = None
    conseiller_corner: ConseillerCorner | None = None


def load_kv_once() -> None:
    for name in KV_FILES:
        path = str(KV_DIR / f"{name}.kv")
        if path not in Builder.files:
            Builder.load_file(path)


def build_widgets(app) -> Widgets:
    load_kv_once()
    root = KioskRoot(app=app)
    sm = root.ids.sm
    sm.transition = NoTransition()  # no animation: calmer for visitors, exact for tests
    sm.app = app
    for screen in (AttractScreen(), HomeScreen(), StepScreen(), SummaryScreen()):
        sm.add_widget(screen)
    widgets = Widgets(root=root, idle_overlay=IdleWarning(), help_overlay=HelpPanel(),
                      leave_overlay=ConfirmLeave())
    controller = app.controller
    if controller.pin_gate is not None:
        widgets.conseiller_panel = ConseillerPanel(gate=controller.pin_gate, mode=controller.conseiller,
                                                   sources=controller.conseiller_sources())
        widgets.conseiller_corner = ConseillerCorner()
        widgets.conseiller_corner.bind(on_long_press=lambda *_: widgets.conseiller_panel.open_in(root))
        root.add_widget(widgets.conseiller_corner)
    return widgets


def ui_wipes(widgets: Widgets) -> list[tuple[str, Callable[[], None], Callable[[], bool]]]:
    """(name, wipe, is_empty) for what the widgets hold of a visitor."""
    sm = widgets.root.ids.sm
    step_screen, home_screen, summary = sm.get_screen("step"), sm.get_screen("home"), sm.get_screen("summary")
    return [
        # Nothing we show copies to the clipboard, but a technician's keyboard could.
        ("clipboard", lambda: Clipboard.copy(""), lambda: not (Clipboard.paste() or "")),
        ("text inputs", step_screen.wipe, step_screen.is_empty),
        ("search input", home_screen.wipe, home_screen.is_empty),
        # It shows the typed values as the receipt prints them.
        ("summary", summary.wipe, summary.is_empty),
        # Last: emptying the inputs above renders them once more, into these caches.
        ("text render caches", clear_text_caches, text_caches_empty),
    ]


def clear_text_caches() -> None:
    for category in TEXT_CACHES:
        Cache.remove(category)


def text_caches_empty() -> bool:
    return not any(Cache._objects.get(category) for category in TEXT_CACHES)
