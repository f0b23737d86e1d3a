"""Home: the most used procedures, then categories with big pictograms; one category's
procedures once a category is chosen."""

from __future__ import annotations

from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen

from screens.widgets import Body, KButton, Title

POPULAR_COUNT = 4


class HomeScreen(Screen):
    def show(self, machine) -> None:
        app = self.manager.app
        box = self.ids.content
        box.clear_widgets()
        pack = machine.content
        category_id = machine.visit.category_id
        if category_id:
            category = next(c for c in pack.categories if c.id == category_id)
            box.add_widget(KButton(icon="chevron-left", label=app.t("home.all_categories"),
                                   size_hint_x=None, width=self.width * 0.5,
                                   on_release=lambda *_: app.machine.open_category(None)))
            box.add_widget(Title(text=category.title))
            for proc in pack.in_category(category_id):
                box.add_widget(self._procedure_button(app, proc))
            return
        box.add_widget(Title(text=app.t("home.question")))
        box.add_widget(Body(text=app.t("home.popular")))
        for proc in app.home_order()[:POPULAR_COUNT]:
            box.add_widget(self._procedure_button(app, proc))
        box.add_widget(Body(text=app.t("home.categories")))
        grid = GridLayout(cols=2, spacing=app.gap_px, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for category in pack.categories:
            if not pack.in_category(category.id):
                continue
            grid.add_widget(KButton(icon=category.icon, label=category.title, role="choice",
                                    min_height=app.target_px * 1.6,
                                    on_release=lambda _b, cid=category.id: app.machine.open_category(cid)))
        box.add_widget(grid)

    def _procedure_button(self, app, proc) -> KButton:
        return KButton(label=proc.title, detail=app.t("home.duration", minutes=proc.duration_min),
                       role="choice", icon="chevron-right",
                       on_release=lambda *_: app.machine.open_procedure(proc.id))

    def spoken_text(self) -> str:
        return ". ".join(w.text for w in reversed(self.ids.content.children) if isinstance(w, (Title, Body)))
