"""The frame around every screen: top bar (home, text size, listen, call a conseiller),
the help-call banner, the screen manager, and the overlays (idle warning, help panel)."""

from __future__ import annotations

import time

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.utils import escape_markup

from kiosk.session import State
from kiosk.theme import TEXT_SCALES, Metrics
from screens import rtl_text
from screens.speech_mode import NEAR_SHARE, SpeechBar, SpeechTouch
from screens.widgets import ICON_FONT, KButton, MirrorBox, button_markup, icon_char

# A long-press timer this far past its time means the loop was stuck: the release may be queued.
LONG_PRESS_LATE_S = 0.2
# The largest text size of the bar's words in a window too narrow for three buttons in a row
# (TopBar.arrange): the guide column beside the site.
NARROW_SCALE = TEXT_SCALES[1]


def text_width(text: str, font_name: str, font_size: float) -> float:
    return CoreLabel(text=text, font_name=font_name, font_size=font_size).get_extents(text)[0]


def word_width(text: str, font_name: str, font_size: float) -> float:
    """As text_width, shaped right to left (raqm) when the screens' language runs so."""
    if not rtl_text.active():
        return text_width(text, font_name, font_size)
    return rtl_text.RtlLabel(text=text, font_name=font_name, font_size=font_size).get_extents(text)[0]


class BarButton(KButton):
    """A top-bar button whose words are never cut in two (« Accuei/l »): icon and label on
    one line when they fit; else the icon before the first word and the label broken
    between words (`wrapped`: no line for the icon alone, which made the bar a third of a
    1280×800 screen at 1.5×); else the icon above the label, broken between words only;
    else, when one word alone is wider than the button, the icon only (the label is still
    what « Écouter » and the tests read). `stack` False: a row of fixed height, one line
    or the icon only. Right to left, the icon is dropped when it would push a word in two."""

    stack = BooleanProperty(True)
    # False: the detail line is not drawn (the text-size button in the guide column at a
    # larger size: « Très grande taille » took two more lines of the column's height).
    show_detail = BooleanProperty(True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(width=self._render, stack=self._render, show_detail=self._render)

    @property
    def shown_detail(self) -> str:
        return self.detail if self.show_detail else ""

    def _render(self, *_):
        app = App.get_running_app()
        room = self.width - (app.gap_px * 2 if app is not None else 0)
        if app is None or not self.label or rtl_text.active():
            self._render_right_to_left(app, room)
            return
        self.markup, self.icon_texture = True, None  # back from right to left: icon in the markup
        icon_px = int(self.font_size * 1.3)
        bold, regular = self.font_name, app.font_regular
        icon_w = text_width(icon_char(self.icon), ICON_FONT, icon_px) if self.icon else 0
        detail = self.shown_detail
        words = [(w, bold) for w in self.label.split()] + [(w, regular) for w in detail.split()]
        widest = max(text_width(w, font, self.font_size) for w, font in words)
        one_line = max(text_width(self.label, bold, self.font_size) + icon_w * 1.5,
                       text_width(detail, regular, self.font_size) if detail else 0)
        first_word = text_width(self.label.split()[0], bold, self.font_size) + icon_w * 1.5
        icon = f"[font={ICON_FONT}][size={icon_px}]{icon_char(self.icon)}[/size][/font]" if self.icon else ""
        if one_line <= room or (widest <= room and first_word <= room and self.stack):
            self.text = button_markup(self.icon, self.label, detail, icon_px, regular)
            self.shape = "full" if one_line <= room else "wrapped"
        elif widest <= room and self.stack:
            line = f"\n[font={regular}]{escape_markup(detail)}[/font]" if detail else ""
            self.text = f"{icon}\n{escape_markup(self.label)}{line}"
            self.shape = "stacked"
        else:
            self.text = icon or escape_markup(self.label)
            self.shape = "icon"

    def _render_right_to_left(self, app, room: float) -> None:
        """Plain text beside its icon, wrapped between words by Kivy; without the icon when
        the widest word and the icon do not fit side by side (« الصفحة الرئيسية » was cut
        in four at 1.5×)."""
        self.shape = "full"
        super()._render()
        if app is None or self.icon_texture is None or not self.label:
            return
        words = (self.label + " " + self.shown_detail).split()
        widest = max(text_width(w, self.font_name, self.font_size) for w in words)
        if widest + self.icon_texture.width + app.gap_px > room:
            self.icon_texture = None
            self.shape = "words"

    def room_beside_icon(self) -> float:
        """The text room it takes to draw the icon beside the first word, no word cut."""
        app = App.get_running_app()
        words = [(w, self.font_name) for w in self.label.split()]
        words += [(w, app.font_regular) for w in self.shown_detail.split()]
        if not words:
            return 0
        widths = [word_width(w, font, self.font_size) for w, font in words]
        icon_w = text_width(icon_char(self.icon), ICON_FONT, int(self.font_size * 1.3)) if self.icon else 0
        if rtl_text.active():  # the icon stands at the edge, beside the whole text
            return max(widths) + icon_w + app.gap_px
        return max(*widths, widths[0] + icon_w * 1.5)

    shape = "full"  # full | wrapped | stacked | icon | words: how the label fits (tests, screenshots)


class TopBar(BoxLayout):
    """The bar's four buttons, in rows: one row in landscape; in portrait « Appeler un
    conseiller » in a row of its own, full width, so that no label of the bar has to be cut;
    in a window too narrow for three buttons in the first row (the guide column beside the
    site, 512 px: « Agrandir » was the icon alone there), two rows of two: « Accueil » and
    « Écouter », then the text-size button (two lines: it says the size) beside « Appeler un
    conseiller » (two lines, between words). A row each for those two took 90 px more of the
    column's height, which is the step's text."""

    def arrange(self, portrait: bool, larger: bool = False) -> None:
        ids = self.parent.parent.ids
        home, text_size, listen, help_button = ids.home_button, ids.text_size_button, ids.listen_button, ids.help_button
        app = App.get_running_app()
        for button in (home, text_size, listen, help_button):
            button.font_size = app.body_px
        if not portrait:
            rows = [[home, text_size, listen, help_button]]
        elif self._fit(self.parent.parent.width, [home, text_size, listen]):
            rows = [[home, text_size, listen], [help_button]]
        else:
            rows = [[home, listen], [text_size, help_button]]
            # At 1.5× the bar took 400 px and more of the 800 and left the step less than 3
            # lines: the bar's words stop growing at NARROW_SCALE there.
            narrow_px = Metrics(app.metrics.px_per_mm, NARROW_SCALE).body_px
            for button in (home, text_size, listen, help_button):
                button.font_size = min(app.body_px, narrow_px)
        # Two rows of two: at a larger size « Très grande taille » is not drawn (the text on
        # screen shows the size; speech mode still says it), two lines of the column's height.
        text_size.show_detail = not (len(rows) == 2 and len(rows[0]) == 2 and larger)
        self._place(rows, [ids.bar_row, ids.bar_row_2])
        if portrait:
            for row in rows:
                for button in row:
                    button.size_hint_x = 1 / len(row)
            return
        # Landscape: the text-size button's second line (« Très grande taille ») is the
        # longest of the bar; narrower, it took three lines at 1.5× and the bar a third of
        # a 1280×800 screen. At a larger size it gets more (0.34: « Tamanho muito grande »
        # on one line), « Appeler un conseiller » less (it wraps between words, two lines).
        # Home and listen: 0.19, the room of « Escuchar » at 1.5× (kiosk/content/locale_fit.py).
        text_share, help_share = (0.34, 0.28) if larger else (0.26, 0.36)
        for button, share in ((home, 0.19), (text_size, text_share), (listen, 0.19), (help_button, help_share)):
            button.size_hint_x = share

    def _fit(self, width: float, row: list) -> bool:
        """Each button of the row, given an equal share of a bar that wide, has its icon beside
        its first word and no word cut. Else the icon would take a line of its own above the
        words (a text-size button five lines tall), or the words be dropped for the icon."""
        gap = App.get_running_app().gap_px
        share = (width - gap * 2 - gap * (len(row) - 1)) / len(row)
        return all(button.room_beside_icon() + gap * 2 <= share for button in row)

    @staticmethod
    def _place(rows: list, boxes: list) -> None:
        """The buttons into the bar's rows, in order; rows left empty have no height (they stay
        in the tree: ids are weak)."""
        if [list(reversed(box.children)) for box in boxes] == rows + [[]] * (len(boxes) - len(rows)):
            return
        for row in rows:
            for button in row:
                button.parent.remove_widget(button)
        for box, row in zip(boxes, rows):
            for button in row:
                box.add_widget(button)
        gap = App.get_running_app().gap_px
        for box in boxes[1:]:
            box.padding = [0, gap, 0, 0] if box.children else 0


class HelpBanner(MirrorBox):
    """Shown only while a help call waits; mirrored right to left like the bar above it
    (speech mode reads its text, then « إلغاء النداء »). When hidden it has no height, but its button
    would still stand over the top bar, and a disabled widget swallows touches: a hidden
    banner takes no touch at all."""

    def on_touch_down(self, touch):
        return super().on_touch_down(touch) if self.opacity > 0 else False

    def on_touch_up(self, touch):
        return super().on_touch_up(touch) if self.opacity > 0 else False


class KioskRoot(FloatLayout):
    """Routes every touch: any touch stops speech and tells the machine the visitor is
    here; a long press on « Appeler un conseiller » turns speech mode on or off; a double
    tap on the attract screen turns it on; in speech mode touches go to SpeechTouch;
    touches repeated at one place within `[speech] touch_repeat_s` count once."""

    app = ObjectProperty(None)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.speech = SpeechTouch(self)
        self.speech_bar: SpeechBar | None = None
        self._attract_tap: tuple[float, float, float] | None = None
        self._last_up: tuple[float, float, float] | None = None

    def on_touch_down(self, touch):
        c = self.app.controller if self.app is not None else None
        if c is None:
            return super().on_touch_down(touch)
        if self._is_repeat(touch):
            touch.ud["kiosk.ignored"] = True
            return True
        c.stop_speech()  # any touch: silence (speech mode may then say what was touched)
        self._watch_long_press(touch)
        machine = c.machine
        if machine.state is State.ATTRACT:
            # A language button starts the visit: it is not the first tap of a double tap
            # (which turns speech mode on), or the next tap on the home screen would be.
            on_language = self.ids.sm.get_screen("attract").ids.languages.collide_point(touch.x, touch.y)
            self._attract_tap = None if on_language else (time.monotonic(), touch.x, touch.y)
            return super().on_touch_down(touch)
        if self._second_attract_tap(touch):
            touch.ud["kiosk.ignored"] = True
            c.set_speech_mode(True)
            return True
        if machine.visit.speech_mode and not self.speech.keyboard_at(touch.x, touch.y):
            if machine.state is not State.IDLE_WARNING:
                machine.touch()  # on the warning, only its buttons answer it (« Je suis là »…)
            touch.ud["kiosk.speech"] = True
            return True
        if machine.state is State.IDLE_WARNING:
            # The warning covers the screen: the tap that ends it goes to the warning only.
            # Telling the machine first would take the warning away before the touch is
            # dispatched, and the touch would press whatever lay beneath it.
            super().on_touch_down(touch)
            machine.touch()
            return True
        # Any other touch tells the machine the visitor is still here, before the touched
        # widget acts on it.
        machine.touch()
        return super().on_touch_down(touch)

    def on_touch_move(self, touch):
        if "kiosk.ignored" in touch.ud or "kiosk.speech" in touch.ud:
            return True
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):
        event = touch.ud.pop("kiosk.long_press", None)
        if event is not None:
            event.cancel()
        self._last_up = (time.monotonic(), touch.x, touch.y)
        if "kiosk.ignored" in touch.ud or "kiosk.long_pressed" in touch.ud:
            return True
        if "kiosk.speech" in touch.ud:
            self.speech.touch_up(touch)
            return True
        return super().on_touch_up(touch)

    def _near(self, touch, x: float, y: float) -> bool:
        return abs(touch.x - x) + abs(touch.y - y) < NEAR_SHARE * (self.width or 1)

    def _is_repeat(self, touch) -> bool:
        limit_s = self.app.cfg.speech.touch_repeat_s
        last = self._last_up
        return bool(limit_s and last is not None and time.monotonic() - last[0] < limit_s
                    and self._near(touch, last[1], last[2]))

    def _second_attract_tap(self, touch) -> bool:
        tap, self._attract_tap = self._attract_tap, None
        return (tap is not None and time.monotonic() - tap[0] <= self.app.cfg.speech.double_tap_s
                and self._near(touch, tap[1], tap[2]) and not self.app.machine.visit.speech_mode)

    def _watch_long_press(self, touch) -> None:
        button = self.ids.help_button
        if not button.collide_point(*button.to_widget(touch.x, touch.y)):
            return

        hold_s = self.app.cfg.speech.long_press_s
        pressed_at = time.monotonic()

        def fire(_dt):
            if time.monotonic() - pressed_at > hold_s + LONG_PRESS_LATE_S and "kiosk.long_press_late" not in touch.ud:
                # The timer is overdue: the loop was stuck, and a release may be queued behind
                # this timer (Kivy runs timers before input). Judge once that input is read.
                touch.ud["kiosk.long_press_late"] = True
                touch.ud["kiosk.long_press"] = Clock.schedule_once(fire, LONG_PRESS_LATE_S)
                return
            touch.ud.pop("kiosk.long_press", None)
            touch.ud["kiosk.long_pressed"] = True
            touch.ungrab(button)  # (does nothing when it had not grabbed it: speech mode)
            button._do_release()  # the button looks released; its on_release never comes
            self.app.controller.toggle_speech_mode()

        touch.ud["kiosk.long_press"] = Clock.schedule_once(fire, hold_s)

    def on_size(self, *_):
        if "bar" in self.ids:
            machine = getattr(self.app, "machine", None)
            larger = machine is not None and machine.visit.text_scale_index > 0
            self.ids.bar.arrange(self.height > self.width, larger)

    def show(self, machine) -> None:
        ids = self.ids
        # The text-size button says the size now, and what a tap does: larger, then back.
        index = machine.visit.text_scale_index
        largest = index == len(TEXT_SCALES) - 1
        ids.text_size_button.label = self.app.t("bar.text_size_smaller" if largest else "bar.text_size")
        ids.text_size_button.detail = self.app.t(f"bar.text_size_{index}")
        ids.bar.arrange(self.height > self.width, index > 0)
        active = machine.state not in (State.ATTRACT, State.GOODBYE)
        ids.home_button.disabled = not active or machine.state is State.HOME and not machine.visit.category_id
        ids.bar.opacity = 1
        v = machine.visit
        ids.help_banner.opacity = 1 if v.help_number else 0
        ids.help_banner.height = ids.help_banner.minimum_height if v.help_number else 0
        if v.help_number:
            banner = self.app.controller.help_texts().banner
            ids.help_banner_text.text = self.app.t(banner, number=v.help_number)
        if v.speech_mode and self.speech_bar is None:
            self.speech_bar = SpeechBar(self.app)
            # Under the top bar and the help banner, above the screens.
            ids.sm.parent.add_widget(self.speech_bar, index=ids.sm.parent.children.index(ids.sm) + 1)
        if self.speech_bar is not None:
            self.speech_bar.show(self.app, v)
