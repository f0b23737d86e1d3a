"""Builds the kiosk's widget tree, and lists what only the widgets can wipe.

Importing this module opens the window (kivy.uix.textinput imports kivy.core.window),
so kiosk/app.py imports it from App.build, after configure_kivy has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from kivy.cache import Cache
from kivy.core.clipboard import Clipboard
from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition

from screens import KV_DIR, rtl_text
from screens.attract import AttractScreen
from screens.conseiller import ConseillerCorner, ConseillerPanel
from screens.root import KioskRoot
from screens.widgets import FreshTexture

if TYPE_CHECKING:
    from screens.overlays import ConfirmLeave, HelpPanel, IdleWarning

# What the attract screen needs, built at start; the rest (build_rest) once its first frame
# is on screen, while it waits for a visitor (bench/startup.py).
FIRST_KV_FILES = ("widgets", "root", "attract")
REST_KV_FILES = ("overlays", "home", "step", "summary")
KV_FILES = FIRST_KV_FILES + REST_KV_FILES
# TextInput caches each rendered line for 60 s under a key made of its text.
TEXT_CACHES = ("textinput.label", "textinput.width")


@dataclass
class Widgets:
    root: KioskRoot
    # The overlays and the home, step and summary screens: None until build_rest().
    idle_overlay: IdleWarning | None = None
    help_overlay: HelpPanel | None = None
    leave_overlay: ConfirmLeave | None = None
    conseiller_panel: ConseillerPanel | None = None
    conseiller_corner: ConseillerCorner | None = None

    @property
    def complete(self) -> bool:
        return self.idle_overlay is not None


def load_kv_once(names=KV_FILES) -> None:
    for name in names:
        path = str(KV_DIR / f"{name}.kv")
        if path not in Builder.files:
            Builder.load_file(path)


def build_widgets(app) -> Widgets:
    """The root, its bar and the attract screen: what the first frame shows."""
    load_kv_once(FIRST_KV_FILES)
    root = KioskRoot(app=app)
    sm = root.ids.sm
    sm.transition = NoTransition()  # no animation: calmer for visitors, exact for tests
    sm.app = app
    sm.add_widget(AttractScreen())
    widgets = Widgets(root=root)
    controller = app.controller
    if controller.pin_gate is not None:
        widgets.conseiller_panel = ConseillerPanel(gate=controller.pin_gate, mode=controller.conseiller,
                                                   sources=controller.conseiller_sources())
        widgets.conseiller_corner = ConseillerCorner()
        widgets.conseiller_corner.bind(on_long_press=lambda *_: widgets.conseiller_panel.open_in(root))
        root.add_widget(widgets.conseiller_corner)
    return widgets


def build_rest(widgets: Widgets) -> bool:
    """The home, step and summary screens and the overlays; False when they were built."""
    if widgets.complete:
        return False
    from screens.home import HomeScreen
    from screens.overlays import ConfirmLeave, HelpPanel, IdleWarning
    from screens.step import StepScreen
    from screens.summary import SummaryScreen

    load_kv_once(REST_KV_FILES)
    sm = widgets.root.ids.sm
    for screen in (HomeScreen(), StepScreen(), SummaryScreen()):
        sm.add_widget(screen)
    widgets.leave_overlay, widgets.help_overlay = ConfirmLeave(), HelpPanel()
    widgets.idle_overlay = IdleWarning()  # last: `complete` reads it
    return True


def all_widgets(widgets: Widgets):
    """Every widget of the kiosk, shown or not (screens not current are off the tree)."""
    sm = widgets.root.ids.sm
    tops = [widgets.root, *sm.screens, widgets.idle_overlay, widgets.help_overlay, widgets.leave_overlay,
            widgets.conseiller_panel]
    tops = [top for top in tops if top is not None]
    seen: set[int] = set()
    for top in tops:
        for widget in top.walk(restrict=True):
            if widget.uid not in seen:
                seen.add(widget.uid)
                yield widget


def redraw_for_direction(widgets: Widgets) -> None:
    """After a language switch: each label drawn by the core label its direction needs."""
    for widget in all_widgets(widgets):
        if isinstance(widget, FreshTexture):
            widget.redraw_for_direction()


def ui_wipes(widgets: Widgets) -> list[tuple[str, Callable[[], None], Callable[[], bool]]]:
    """(name, wipe, is_empty) for what the widgets hold of a visitor (once build_rest ran)."""
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
    rtl_text.clear_measures()  # keyed by the texts measured: a summary's typed values


def text_caches_empty() -> bool:
    return not any(Cache._objects.get(category) for category in TEXT_CACHES) and rtl_text.measures_empty()
