"""Speech mode's touch gestures (EN 301 549 5.1): explore by touch, act by double tap.

A first touch on anything says what it is (kiosk/reading.py: label, state, « bouton »,
place in its list); a second touch within `[speech] double_tap_s` near the first acts on
what was last said; a horizontal swipe says the next or previous item in reading order
(top to bottom, then left to right). Keys of the on-screen keyboard type at once (the
controller says each character, never a personal field's). KioskRoot routes the touches
here; the controller owns the state (Visit.speech_mode) and what is said.
"""

from __future__ import annotations

import time

from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from kiosk import reading
from kiosk.session import State
from kiosk.speech import DEFAULT_RATE, DEFAULT_VOLUME
from screens.keyboard import FieldInput, KioskKeyboard
from screens.widgets import Body, Icon, KButton, Title

TICK_ICONS = {"checkbox-marked": True, "checkbox-blank-outline": False}
SWIPE_SHARE = 0.12  # of the window's width: a shorter move is a tap
NEAR_SHARE = 0.08   # two touches this close (share of the width) are at the same place


def in_reading_order(widgets: list, right_to_left: bool = False) -> list:
    """Rows top to bottom, each left to right (right to left in a right-to-left language,
    whose rows are mirrored: « السابق » before « التالي »): a widget whose middle is level
    with the first of a row is in that row (buttons of one row may differ in height)."""
    boxes = []
    for w in widgets:
        x, y = w.to_window(w.x, w.y)
        boxes.append((y + w.height, y, x, w))
    boxes.sort(key=lambda b: -b[0])
    rows: list[list] = []
    for box in boxes:
        middle = (box[0] + box[1]) / 2
        if rows and rows[-1][0][1] <= middle <= rows[-1][0][0]:
            rows[-1].append(box)
        else:
            rows.append([box])
    if right_to_left:
        return [box[3] for row in rows for box in sorted(row, key=lambda b: -(b[2] + b[3].width))]
    return [box[3] for row in rows for box in sorted(row, key=lambda b: b[2])]


class _ItemGroup:
    """Items read together, in their own order, where their widget stands: a list's (its
    content scrolled out of view is no longer read after the buttons under the list), or a
    layout's whose parts are read one after the other (`read_in_columns`: the summary's
    text, then the buttons beside it at a larger size, in either direction)."""

    def __init__(self, view: ScrollView, items: list):
        self.view, self.items = view, items
        self.x, self.y, self.width, self.height = view.x, view.y, view.width, view.height

    def to_window(self, x: float, y: float):
        return self.view.to_window(x, y)


VOLUME_KEYS, RATE_KEYS = ("speech.louder", "speech.quieter"), ("speech.faster", "speech.slower")


class SpeechBar(GridLayout):
    """« Répéter », « Arrêter », volume and rate, and leaving: one row, shown in speech mode
    only (the visible sign of the mode). Hidden, it takes no touch. The volume and rate
    buttons show the value they say aloud (EN 301 549 5.1.5); labels follow the language."""

    def __init__(self, app, **kwargs):
        super().__init__(rows=1, size_hint_y=None, spacing=app.gap_px, padding=app.gap_px, **kwargs)
        c = app.controller
        actions = (("speech.repeat", c.repeat), ("speech.stop", c.stop_speech),
                   ("speech.louder", lambda: c.change_voice(volume_steps=1)),
                   ("speech.quieter", lambda: c.change_voice(volume_steps=-1)),
                   ("speech.faster", lambda: c.change_voice(rate_steps=1)),
                   ("speech.slower", lambda: c.change_voice(rate_steps=-1)),
                   ("speech.leave_mode", lambda: c.set_speech_mode(False)))
        # One height for the row: a label that wraps on a narrow screen leaves it even.
        self.buttons = {key: KButton(label=app.t(key), min_height=app.target_px * 1.4,
                                     on_release=lambda _b, a=action: a())
                        for key, action in actions}
        for button in self.buttons.values():
            self.add_widget(button)
        self.bind(minimum_height=lambda *_: self._fit())

    def _fit(self) -> None:
        self.height = self.minimum_height if self.opacity > 0 else 0

    def show(self, app, visit) -> None:
        on = visit.speech_mode
        self.opacity = 1 if on else 0
        self.disabled = not on
        volume = app.t("speech.percent_shown", percent=round(100 * visit.speech_volume / DEFAULT_VOLUME))
        rate = app.t("speech.percent_shown", percent=round(100 * visit.speech_rate / DEFAULT_RATE))
        for key, button in self.buttons.items():
            # Set only when changed: a new text is a new texture (screens/widgets.py).
            detail = volume if key in VOLUME_KEYS else rate if key in RATE_KEYS else ""
            if (button.label, button.detail) != (app.t(key), detail):
                button.label, button.detail = app.t(key), detail
        self._fit()

    def on_touch_down(self, touch):
        return super().on_touch_down(touch) if self.opacity > 0 else False

    def on_touch_up(self, touch):
        return super().on_touch_up(touch) if self.opacity > 0 else False


class SpeechTouch:
    def __init__(self, root):
        self.root = root
        self.focused = None
        self._last_tap: tuple[float, float, float] | None = None  # when, x, y

    @property
    def app(self):
        return self.root.app

    # ----- what there is to say, in reading order -----------------------------------------
    def layers(self) -> list:
        """The widgets in front of the visitor: the topmost overlay if one is open, then the
        speech bar (« Répéter » and « Arrêter » stay reachable, after the overlay's items)."""
        from screens.overlays import Overlay
        overlays = [w for w in self.root.children if isinstance(w, Overlay)]
        if overlays:
            return [overlays[0], self.root.speech_bar]  # children[0] is drawn last, on top
        ids = self.root.ids
        return [ids.bar, ids.help_banner, self.root.speech_bar, ids.sm.current_screen]

    def items(self) -> list:
        layers = self.layers()
        if len(layers) == 2:  # an overlay, then the bar: each in its own reading order
            return [w for layer in layers for w in self._items_in([layer])]
        return self._items_in(layers)

    def _items_in(self, layers: list) -> list:
        found = []
        for layer in layers:
            if layer is None or layer.opacity == 0:
                continue
            stack = [layer]
            while stack:
                w = stack.pop()
                if isinstance(w, (KButton, FieldInput)):
                    if w.opacity > 0 and not getattr(w, "hidden", False):
                        found.append(w)
                    continue
                if isinstance(w, KioskKeyboard) or (isinstance(w, Screen) and w is not layer):
                    continue
                if isinstance(w, (Title, Body)) and not isinstance(w, Icon) and w.text.strip() and w.opacity > 0:
                    found.append(w)
                    continue
                if isinstance(w, ScrollView) and w.opacity > 0:
                    inner = self._items_in(w.children)
                    if inner:
                        found.append(_ItemGroup(w, inner))
                    continue
                if getattr(w, "read_in_columns", False):
                    # Each part in its own reading order, one after the other, in the kv's order.
                    inner = [x for part in reversed(w.children) for x in self._items_in([part])]
                    if inner:
                        found.append(_ItemGroup(w, inner))
                    continue
                stack.extend(w.children)
        ordered = in_reading_order(found, self.app is not None and self.app.rtl)
        return [x for item in ordered for x in (item.items if isinstance(item, _ItemGroup) else [item])]

    def item_at(self, x: float, y: float):
        for w in self.items():
            wx, wy = w.to_window(w.x, w.y)
            if wx <= x <= wx + w.width and wy <= y <= wy + w.height and self._visible_at(w, x, y):
                return w
        return None

    @staticmethod
    def _visible_at(w, x: float, y: float) -> bool:
        node = w.parent
        while node is not None and node.parent is not node:
            if isinstance(node, ScrollView):
                sx, sy = node.to_window(node.x, node.y)
                if not (sx <= x <= sx + node.width and sy <= y <= sy + node.height):
                    return False
            node = node.parent
        return True

    def keyboard_at(self, x: float, y: float) -> bool:
        stack = [self.root]
        while stack:
            w = stack.pop()
            if isinstance(w, KioskKeyboard):
                kx, ky = w.to_window(w.x, w.y)
                if kx <= x <= kx + w.width and ky <= y <= ky + w.height:
                    return True
                continue
            stack.extend(w.children)
        return False

    # ----- describing -----------------------------------------------------------------------
    def describe(self, w) -> str:
        c = self.app.controller
        if isinstance(w, FieldInput):
            step = c.machine.step
            if c.machine.state is State.STEP and step is not None and step.kind == "field":
                return reading.join(reading.field_lines(c, step))
            return reading.control_text(c, w.hint_text, field=True, detail=w.text)
        if not isinstance(w, KButton):
            return w.text
        tick = TICK_ICONS.get(w.icon)
        siblings = [b for b in w.parent.children if isinstance(b, KButton) and b.opacity > 0
                    and not b.hidden] if w.parent is not None else [w]
        siblings.reverse()  # children are stored last added first
        reason = None
        next_button = self._next_button()
        if w.disabled and next_button is not None and w.uid == next_button.uid:  # ids are proxies
            reason = reading.next_blocked_reason(c.machine)
        return reading.control_text(c, w.label, detail=w.detail, tick=tick,
                                    chosen=w.selected and tick is None, dimmed=w.disabled,
                                    dimmed_reason=reason,
                                    position=(siblings.index(w) + 1, len(siblings)) if w in siblings else None)

    def _next_button(self):
        screen = self.root.ids.sm.get_screen("step")
        return screen.ids.get("next_button")

    def say(self, w) -> None:
        self.focused = w
        self._scroll_to(w)
        self.app.controller.speak(self.describe(w))

    @staticmethod
    def _scroll_to(w) -> None:
        node = w.parent
        while node is not None and node.parent is not node:
            if isinstance(node, ScrollView):
                node.scroll_to(w, padding=10, animate=False)
                return
            node = node.parent

    # ----- gestures ---------------------------------------------------------------------------
    def touch_up(self, touch) -> None:
        width = self.root.width or 1
        dx, dy = touch.x - touch.ox, touch.y - touch.oy
        if abs(dx) > SWIPE_SHARE * width and abs(dx) > 2 * abs(dy):
            self.move(1 if dx > 0 else -1)
            self._last_tap = None
            return
        now = time.monotonic()
        last, self._last_tap = self._last_tap, (now, touch.x, touch.y)
        near = last is not None and abs(touch.x - last[1]) + abs(touch.y - last[2]) < NEAR_SHARE * width
        if last is not None and near and now - last[0] <= self.app.cfg.speech.double_tap_s:
            self._last_tap = None
            self.activate()
            return
        w = self.item_at(touch.x, touch.y)
        if w is not None:
            self.say(w)

    def move(self, step: int) -> None:
        items = self.items()
        if not items:
            return
        if self.focused in items:
            index = items.index(self.focused) + step
        else:
            index = 0 if step > 0 else len(items) - 1
        if not 0 <= index < len(items):
            self.focused = None
            self.app.controller.speak(self.app.t("speech.end_of_screen"))
            return
        self.say(items[index])

    def activate(self) -> None:
        w = self.focused
        if w is None or w not in self.items():
            return
        if isinstance(w, FieldInput):
            w.focus = True
            self.say(w)
        elif isinstance(w, KButton):
            if w.disabled:
                self.say(w)  # says it is dimmed, and why
                return
            c = self.app.controller
            before = c.screen_key()
            c.stop_speech()
            w.trigger_action(duration=0)
            # Same screen and nothing said by the action (a tick): say the new state. A new
            # screen is read by the controller; « Plus fort » says the new volume itself.
            if c.screen_key() == before and c.speaker.is_silent() and w in self.items():
                self.say(w)
            else:
                self.focused = None
        elif isinstance(w, Label):
            self.say(w)
