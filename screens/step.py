"""One step of a procedure per screen: information, checklist, question, field or link."""

from __future__ import annotations

from kivy.properties import BooleanProperty
from kivy.uix.image import Image
from kivy.uix.screenmanager import Screen

from screens.keyboard import FieldInput, KeyboardSlot, hint_for
from screens.widgets import Body, KButton, QRCode, Title, code_row


def _portrait() -> bool:
    """The window is taller than wide: the guide column beside the site, or a portrait screen.
    The window's, not the screen's: a screen not yet shown is 100×100 px."""
    from kivy.core.window import Window
    return Window.height > Window.width


def _label_widths(app, button, icon: str) -> tuple[float, float]:
    """(the icon and the label on one line, the widest word alone) in the button's font."""
    from screens.root import word_width
    from screens.widgets import ICON_FONT, icon_char

    words = button.label.split()
    widest = max((word_width(w, button.font_name, button.font_size) for w in words), default=0)
    icon_px = int(button.font_size * 1.3)
    icon_w = word_width(icon_char(icon), ICON_FONT, icon_px)
    one_line = word_width(button.label, button.font_name, button.font_size) + icon_w * 1.5
    return one_line, widest


def _tick_icon(on: bool) -> str:
    return "checkbox-marked" if on else "checkbox-blank-outline"


class FieldLabel(Body):
    """The field's label, folded away while the keyboard is up (the step's title says it)."""

    collapsed = BooleanProperty(False)


class StepScreen(Screen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.field_input: FieldInput | None = None
        self.error_label: Body | None = None
        self.full_toggle: KButton | None = None
        self.field_label: FieldLabel | None = None
        self.item_buttons: list[KButton] = []
        self._keyboard_slot: KeyboardSlot | None = None
        self._shown_step: tuple | None = None
        self._typing = False  # the keyboard is up: see _set_typing_layout
        ids = self.ids
        ids.nav_row.bind(width=self._arrange_nav)
        for button in (ids.previous_button, ids.next_button):
            button.bind(label=self._arrange_nav, font_size=self._arrange_nav, font_name=self._arrange_nav)

    @property
    def keyboard_slot(self) -> KeyboardSlot:
        if self._keyboard_slot is None:
            self._keyboard_slot = KeyboardSlot(self.ids.keyboard_slot)
        return self._keyboard_slot

    def on_size(self, *_args) -> None:
        """Under sway the guide's window narrows to the column once the site's window arrives,
        a moment after the step is shown: where the site's notes go changes (_site_slot)."""
        manager = self.manager
        if self._shown_step is not None and self._shown_step[-1] != _portrait() and manager is not None \
                and manager.current == self.name:
            self.show(manager.app.controller.machine)

    def show(self, machine) -> None:
        app = self.manager.app
        step, proc = machine.step, machine.procedure
        current, total = machine.progress()
        self.ids.progress_text.text = app.t("step.progress", current=current, total=total)
        self.ids.progress_bar.value, self.ids.progress_bar.maximum = current, total
        self.ids.procedure_title.text = proc.title
        is_question = step.kind == "question"
        self.ids.next_button.hidden = is_question  # a choice is the way forward
        self.ids.next_button.disabled = is_question or not machine.can_go_next()
        self._arrange_nav()  # the language may have changed its words and direction
        # A new text size rebuilds the step: its widgets were sized for the old one. The
        # procedure object, not only its id: a content update keeps ids and changes texts.
        key = (id(proc), proc.id, step.id, len(machine.visit.history), machine.visit.text_scale_index,
               app.controller.site_beside() if step.site else None, app.language,
               tuple(app.controller.procedure_notes(proc)), _portrait())
        if key == self._shown_step:
            self._refresh_in_place(machine)
            return
        # Same step, new text size or language: the visitor was typing, keep the keyboard
        # open. By ids: another language is another procedure object.
        typing = (self._shown_step is not None and self._shown_step[1:4] == key[1:4]
                  and self.field_input is not None and self.field_input.focus)
        self._shown_step = key
        self.wipe()
        # Controls of the previous step: forget them, or they live as long as the screen.
        self.item_buttons, self.error_label, self.full_toggle, self.field_label = [], None, None, None
        box = self.ids.content
        box.clear_widgets()
        box.add_widget(Title(text=step.title))
        if not machine.visit.history:
            # « en français », or that the official site is in French: once, on the first step.
            for note in app.controller.procedure_notes(proc):
                box.add_widget(Body(text=note, bold=True))
        if not machine.visit.history and proc.before_you_start:
            box.add_widget(Body(text=app.t("step.before_you_start"), bold=True))
            box.add_widget(Body(text="\n".join(f"•  {item}" for item in proc.before_you_start)))
        if step.text:
            box.add_widget(Body(text=step.text.strip()))
        if step.image and step.image.exists():
            box.add_widget(Image(source=str(step.image), size_hint_y=None, height=app.target_px * 4))
        getattr(self, f"_show_{step.kind}")(app, machine, step, box)
        self._show_site(app, step)
        self._refresh_in_place(machine)
        self.ids.scroller.scroll_y = 1
        if typing and self.field_input is not None:
            self.field_input.focus = True
        QRCode.make_ahead(self._codes_ahead(app, proc))

    @staticmethod
    def _codes_ahead(app, proc) -> list[str]:
        """The QR codes this procedure's steps may show: made while the visitor reads, not on
        the « Suivant » that shows them (bench/ui_latency.py)."""
        sites = app.controller.site_beside() == "unavailable"
        return [url for s in proc.steps for url in ((s.link.url if s.link else ""), (s.site if sites else ""))]

    # ----- kinds ------------------------------------------------------------------------
    def _show_info(self, app, machine, step, box) -> None:
        pass

    def _show_checklist(self, app, machine, step, box) -> None:
        ticked = machine.visit.checked.get(step.id, set())
        for item in step.items:
            button = KButton(label=item.label, detail=item.help or "", role="choice",
                             icon=_tick_icon(item.id in ticked),
                             selected=item.id in ticked, halign="left")
            button.item_id = item.id
            button.bind(on_release=lambda b: app.controller.toggle(b.item_id))
            self.item_buttons.append(button)
            box.add_widget(button)

    def _show_question(self, app, machine, step, box) -> None:
        chosen = machine.visit.answers.get(step.id)
        for index, choice in enumerate(step.choices):
            box.add_widget(KButton(label=choice.label, role="choice", selected=index == chosen,
                                   icon="chevron-right", min_height=app.target_px * 1.3,
                                   on_release=lambda _b, i=index: app.controller.choose(i)))

    def _show_field(self, app, machine, step, _box) -> None:
        # The field sits just above the keyboard, outside the scrolling text, so the
        # visitor always sees what they type.
        box = self.ids.field_slot
        self.field_label = FieldLabel(text=step.label, bold=True)
        box.add_widget(self.field_label)
        field = FieldInput(text=machine.visit.fields.get(step.id, ""), font_size=app.body_px * 1.2,
                           font_name=app.font_regular, size_hint_y=None,
                           height=app.target_px * 1.2,
                           input_type="number" if step.keyboard == "number" else "text")
        field.bind(text=lambda w, value: w.wiping or app.controller.set_field(value))
        # The keyboard opens on the first tap in the field: before that, the step's title
        # and explanation have the room they need.
        field.bind(focus=lambda _w, focused: focused and self._show_keyboard(app, field))
        self.field_input = field
        field.hint_text = hint_for(app, "step.tap_to_type")
        box.add_widget(field)
        self.error_label = FieldLabel(text="", tone="error", collapsed=True)
        box.add_widget(self.error_label)
        if step.personal and step.mask != "none":
            full = step.id in machine.visit.show_in_full
            self.full_toggle = KButton(role="choice", selected=full, halign="left",
                                       icon=_tick_icon(full), label=app.t("step.print_in_full"),
                                       on_release=lambda *_: app.controller.toggle_show_in_full())
            box.add_widget(self.full_toggle)

    def _show_keyboard(self, app, field) -> None:
        self.keyboard_slot.open(app, field, on_ok=self._close_keyboard)
        self._set_typing_layout(True)

    def _close_keyboard(self) -> None:
        """« OK » on the keyboard: it goes away, the step gets its room back."""
        self.keyboard_slot.close()
        self._set_typing_layout(False)

    def _hide_keyboard(self) -> None:
        self.keyboard_slot.close()
        self._set_typing_layout(False)  # first: it puts the field back in its slot
        self.ids.field_slot.clear_widgets()  # the field or the QR code

    def _set_typing_layout(self, typing: bool) -> None:
        """With the keyboard up the step's question, its explanation and « Étape N sur M »
        must stay in view (issue 12). Room is made where nothing is lost: the procedure's
        name, the progress bar, the field's label (the title says it) and the « imprimer
        en entier » tick step aside, margins shrink, and the field goes between Précédent
        and Suivant, just above the keyboard. Measured in tests/screens/test_visitor_truth_2.py."""
        app, ids = self.manager.app if self.manager else None, self.ids
        if app is None or self._typing == typing:
            return
        self._typing = typing
        ids.procedure_title.opacity = ids.progress_bar.opacity = 0 if typing else 1
        ids.progress_bar.height = 0 if typing else app.gap_px * 2
        g = app.gap_px
        ids.frame.padding = [g * 0.3] * 4 if typing else [g * 2, g, g * 2, g * 2]  # as step.kv
        ids.frame.spacing = ids.scrolled.spacing = 0 if typing else app.gap_px
        ids.content.spacing = app.gap_px * (0.5 if typing else 2)
        # (The room for the scroll bar is the padding of the box around it: step.kv.)
        ids.content.padding = [0, 0 if typing else app.gap_px, 0, 0 if typing else app.gap_px]
        ids.field_slot.spacing = 0 if typing else app.gap_px
        if self.field_label is not None:
            self.field_label.collapsed = typing
        self._move_field_and_buttons(app, typing)
        toggle = self.full_toggle
        if toggle is not None and typing and toggle.parent is not None:
            toggle.parent.remove_widget(toggle)
        elif toggle is not None and not typing and toggle.parent is None:
            ids.field_slot.add_widget(toggle)
        if typing:
            ids.scroller.scroll_y = 1

    def _move_field_and_buttons(self, app, typing: bool) -> None:
        ids, field = self.ids, self.field_input
        frame, nav, slot = ids.frame, ids.nav_row.__self__, ids.field_slot
        # A portrait screen has the height, and not the width for three things in a row.
        typing = typing and self.width > self.height
        if typing == (nav.parent is not None and frame.children.index(nav) == 1):
            return
        frame.remove_widget(nav)
        frame.add_widget(nav, index=1 if typing else 0)  # 0: the bottom; 1: above the keyboard
        if field is None:
            return
        field.parent.remove_widget(field)
        if typing:
            nav.add_widget(field, index=1)  # between Précédent and Suivant
        else:
            slot.add_widget(field, index=max(len(slot.children) - 1, 0))  # under its label
        share = 0.25 if typing else 1
        ids.previous_button.size_hint_x = ids.next_button.size_hint_x = share
        field.size_hint_x = 0.5 if typing else 1
        field.height = app.target_px * (1 if typing else 1.2)  # the buttons' height beside them
        self._arrange_nav()

    def _arrange_nav(self, *_args) -> None:
        """Précédent and Suivant: side by side with their chevrons when each fits on one line
        in half the row; else side by side without them when each word fits (the chevron is
        dropped: the word says it); else one above the other, full width, with them. In the
        512 px guide column beside the site, halves cut « Précéd/ent », « Siguient/e »,
        « السا/بق » at 1.25× and 1.5×, and at 1× put the chevron on a line of its own (one
        button taller than the other). The row is as tall as its buttons (step.kv): with a
        fixed height they were drawn over the step's text."""
        from kivy.app import App

        app, ids = App.get_running_app(), self.ids
        nav = ids.nav_row
        if app is None or self.field_input is not None and self.field_input.parent is nav:
            return  # typing in landscape: the field between them, a row by design
        room = (nav.width - app.gap_px * 3) / 2 - app.gap_px * 2  # a half's text (step.kv's spacing)
        chevrons = ("chevron-right", "chevron-left") if app.rtl else ("chevron-left", "chevron-right")
        buttons = tuple(zip((ids.previous_button, ids.next_button), chevrons))
        widths = [_label_widths(app, button, chevron) for button, chevron in buttons]
        if all(one_line <= room for one_line, _widest in widths):
            shape = "horizontal", True
        elif all(widest <= room for _one_line, widest in widths):
            shape = "horizontal", False
        else:
            shape = "vertical", True
        nav.orientation = shape[0]
        for button, chevron in buttons:
            button.icon = chevron if shape[1] else ""

    def _show_link(self, app, machine, step, _box) -> None:
        # Outside the scrolling text, like a field, so the code is whole to be scanned; but
        # at a larger text size it scrolls with the text, which it would leave no room.
        qr = QRCode(data=step.link.url, size=(app.target_px * 3.5, app.target_px * 3.5))
        self._site_slot(app).add_widget(code_row(app, qr, f"{step.link.label}\n{step.link.url}"))

    def _site_slot(self, app):
        """Where a step's QR code and site notes go: fixed under the text at the normal
        size; at the end of the scrolling text at a larger one, and right to left, where the
        taller Arabic lines make the top bar and the help banner taller (the fixed code left
        the text 52 px at 1×; tests/screens/test_large_text.py), and in a window taller than
        wide: in the 512 px guide column beside the site the notes took nine lines and left
        the step's own text 0 px (tests/screens/test_step_site.py)."""
        scrolled = app.text_scale_index > 0 or app.rtl or _portrait()
        return self.ids.content if scrolled else self.ids.field_slot

    def _show_site(self, app, step) -> None:
        """Guided browsing: the site's page closed (offer to reopen it) or cannot open here
        (its QR code). While the page is open beside the guide, nothing is added."""
        state = app.controller.site_beside() if step.site else None
        if state == "crashed":
            self._site_slot(app).add_widget(Body(text=app.t("step.site_closed"), bold=True))
            self._site_slot(app).add_widget(KButton(label=app.t("step.site_reopen"), icon="refresh", role="primary",
                                                   on_release=lambda *_: app.controller.reopen_site()))
        elif state == "unavailable":
            qr = QRCode(data=step.site, size=(app.target_px * 3.5, app.target_px * 3.5))
            self._site_slot(app).add_widget(code_row(app, qr, app.t("step.site_unavailable")))
        else:  # the page is (being) shown beside the guide: where, how to type, no downloads
            for key in app.controller.site_note_keys():
                self._site_slot(app).add_widget(Body(text=app.t(key), bold=key == "browse.site_beside"))

    # ----- updates without rebuilding (keeps the scroll position and the input's focus) --
    def _refresh_in_place(self, machine) -> None:
        step, app = machine.step, self.manager.app
        if step.kind == "checklist":
            ticked = machine.visit.checked.get(step.id, set())
            for button in self.item_buttons:
                on = button.item_id in ticked
                button.selected, button.icon = on, _tick_icon(on)
        elif step.kind == "field" and self.error_label is not None:
                # Shown once the visitor taps « Suivant » or stops typing, not at the first letters.
            error = machine.shown_field_error(step.id)
            hint = f" {step.pattern_help}" if step.pattern_help else ""
            if error == "field.invalid" and step.optional:
                hint += " " + app.t("field.invalid_optional")
            self.error_label.text = app.t(error) + hint if error else ""
            self.error_label.collapsed = not error  # no empty line taking room
            if self.full_toggle is not None:
                on = step.id in machine.visit.show_in_full
                self.full_toggle.selected, self.full_toggle.icon = on, _tick_icon(on)

    def wipe(self) -> None:
        """Drop the text input and everything it remembers (text, undo history, focus)."""
        if self.field_input is not None:
            self.field_input.wipe()
        # While it is still known: typing, the field sits in the button row, and only
        # _hide_keyboard puts it back where clear_widgets finds it (a rebuild while typing
        # left the old field standing beside the new one).
        self._hide_keyboard()
        self.field_input = None

    def is_empty(self) -> bool:
        return self.field_input is None or self.field_input.is_empty()

    def spoken_text(self) -> str:
        return self.manager.app.controller.screen_text()  # kiosk/reading.py
