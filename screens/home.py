"""Home: a search field, the most used procedures, then themes with big pictograms; one
theme's procedures once a theme is chosen; search results while the visitor types."""

from __future__ import annotations

from kivy.core.window import Window
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen

from screens.keyboard import FieldInput, KeyboardSlot, hint_for
from screens.widgets import Body, KButton, Title

POPULAR_COUNT = 4


class HomeScreen(Screen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.search_input: FieldInput | None = None
        self._keyboard: KeyboardSlot | None = None
        self._shown: tuple | None = None

    def _ensure_search(self, app) -> FieldInput:
        if self.search_input is None:
            field = FieldInput(hint_text=hint_for(app, "home.search_hint"), font_name=app.font_regular,
                               font_size=app.body_px)
            field.bind(text=lambda w, value: w.wiping or app.controller.set_search(value))
            field.bind(focus=lambda _w, focused: focused and self._keyboard.open(app, field))
            self.ids.search_row.add_widget(field, index=1)
            self._keyboard = KeyboardSlot(self.ids.keyboard_slot)
            self.ids.keyboard_slot.bind(height=lambda *_: self._place_languages(app))
            self.search_input = field
        return self.search_input

    def show(self, machine) -> None:
        app = self.manager.app
        field = self._ensure_search(app)
        query = machine.visit.search_query
        if field.text != query:
            field.text = query
        picker = self._picker
        picker.on_choose = app.controller.set_language
        picker.show(app.language, app.rtl)
        # Rebuild only when what is shown changes: a rebuild between a finger's down and up
        # (a printer or help-call event arriving) would lose the visitor's tap.
        shown = (machine.visit.category_id, query, app.text_scale_index,
                 tuple(p.id for p in app.controller.home_order()[:POPULAR_COUNT]), app.language)
        if shown[-1] != (self._shown or (None,))[-1]:
            self._follow_language(app, field)
        if shown == self._shown:
            return
        self._shown = shown
        box = self.ids.content
        box.clear_widgets()
        self._place_languages(app)
        self._to_top()
        pack = machine.content
        if query.strip():
            self._show_results(app, query, box)
            return
        category_id = machine.visit.category_id
        if category_id:
            category = next(c for c in pack.categories if c.id == category_id)
            back_icon = "chevron-right" if app.rtl else "chevron-left"
            box.add_widget(KButton(icon=back_icon, label=app.t("home.all_categories"),
                                   size_hint_x=None, width=self.width * 0.5,
                                   pos_hint={"right": 1} if app.rtl else {},
                                   on_release=lambda *_: app.controller.open_category(None)))
            box.add_widget(Title(text=category.title))
            for proc in app.controller.home_order(category_id):
                box.add_widget(self._procedure_button(app, proc))
            return
        box.add_widget(Title(text=app.t("home.question")))
        box.add_widget(Body(text=app.t("home.popular")))
        for proc in app.controller.home_order()[:POPULAR_COUNT]:
            box.add_widget(self._procedure_button(app, proc))
        box.add_widget(Body(text=app.t("home.categories")))
        grid = GridLayout(cols=2, spacing=app.gap_px, size_hint_y=None,
                          orientation="rl-tb" if app.rtl else "lr-tb")
        grid.bind(minimum_height=grid.setter("height"))
        for category in app.controller.home_categories():
            grid.add_widget(KButton(icon=category.icon, label=category.title, role="choice",
                                    min_height=app.target_px * 1.6,
                                    on_release=lambda _b, cid=category.id: app.controller.open_category(cid)))
        box.add_widget(grid)

    def _place_languages(self, app) -> None:
        """Where the language buttons stand: above the search at the normal text size on a
        landscape screen; at a larger size, or in a portrait window (the guide column beside
        the site), at the top of the list, which scrolls; while the keyboard is up, nowhere:
        the results need the room (a height of 0 would leave the buttons standing, so they
        leave the tree). Fixed in the 512 px column, in Arabic at the normal size, they stood
        under the top bar's two rows and left the list 0 px (English: 90 px); at 1.5× on a
        1280×800 screen they left it no room either. The rule reads the window's shape, not
        the laid-out heights: those pass through other values while a page is first laid out,
        and a button list moved between a finger's down and up loses the tap."""
        picker = self._picker
        header, box = self.ids.search_row.parent, self.ids.content
        if self.ids.keyboard_slot.height > 0:
            wanted = None
        else:
            wanted = box if app.text_scale_index > 0 or Window.height > Window.width else header
        if picker.parent is wanted:
            return
        if picker.parent is not None:
            picker.parent.remove_widget(picker)
        if wanted is not None:
            wanted.add_widget(picker, index=len(wanted.children))  # first, on top

    def on_size(self, *_args) -> None:
        # The guide's window narrows to the column once the site's window arrives.
        app = self.manager.app if self.manager is not None else None
        if app is not None and self.search_input is not None:
            self._place_languages(app)

    @property
    def _picker(self):
        if getattr(self, "_picker_ref", None) is None:
            self._picker_ref = self.ids.languages.__self__  # a strong reference: ids are weak
        return self._picker_ref

    def _follow_language(self, app, field) -> None:
        """The search field keeps what was typed; its hint, font and keyboard follow."""
        field.hint_text = hint_for(app, "home.search_hint")
        field.font_name = app.font_regular
        self._keyboard.relayout(app)

    def _show_results(self, app, query: str, box) -> None:
        results = app.controller.search(query)
        if not results:
            box.add_widget(Body(text=app.t("home.no_result")))
            return
        box.add_widget(Body(text=app.t("home.results", count=len(results))))
        for proc in results:
            box.add_widget(self._procedure_button(app, proc))

    def _to_top(self) -> None:
        """Every new page starts at its top (a theme opened from half-way down the themes
        would hide its own title). The scroll effect is stopped too, or it would move back."""
        scroller = self.ids.scroller
        scroller.effect_y.velocity = 0
        scroller.effect_y.value = 0
        scroller.scroll_y = 1

    def clear_search(self) -> None:
        self._shown = None
        if self.search_input is not None:
            self.search_input.wipe()
        if self._keyboard is not None:
            self._keyboard.close()

    def wipe(self) -> None:
        self.clear_search()

    def is_empty(self) -> bool:
        return self.search_input is None or self.search_input.is_empty()

    def _procedure_button(self, app, proc) -> KButton:
        minutes = proc.duration_min
        detail = app.t("home.duration", count=minutes, minutes=minutes)
        mark = app.controller.in_french_mark(proc)
        return KButton(label=proc.title, detail=f"{detail} · {mark}" if mark else detail,
                       role="choice", icon="chevron-left" if app.rtl else "chevron-right",
                       on_release=lambda *_: app.controller.open_procedure(proc.id))

    def spoken_text(self) -> str:
        return self.manager.app.controller.screen_text()  # kiosk/reading.py
