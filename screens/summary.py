"""The summary: what was done, what is left, papers to bring; print it or finish."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from screens.widgets import Body, QRCode, Title


def missing_papers(proc, visit) -> list[str]:
    """Checklist items the visitor did not tick: they must still bring them."""
    out = []
    for step in proc.steps:
        if step.kind == "checklist" and step.id in visit.history:
            ticked = visit.checked.get(step.id, set())
            out += [item.label for item in step.items if item.id not in ticked]
    return out


class SummaryScreen(Screen):
    def show(self, machine) -> None:
        app = self.manager.app
        proc, end, visit = machine.procedure, machine.step, machine.visit
        box = self.ids.content
        box.clear_widgets()
        box.add_widget(Title(text=end.title))
        sections = [("summary.done", list(end.done)), ("summary.todo", list(end.todo)),
                    ("summary.bring", list(dict.fromkeys([*end.bring, *missing_papers(proc, visit)])))]
        for key, lines in sections:
            if lines:
                box.add_widget(Body(text=app.t(key), bold=True))
                box.add_widget(Body(text="\n".join(f"•  {line}" for line in lines)))
        if end.where:
            box.add_widget(Body(text=app.t("summary.where"), bold=True))
            box.add_widget(Body(text=end.where))
        link = proc.main_link
        show_qr = link is not None and visit.print_status == "failed"
        if visit.print_message_key:
            box.add_widget(Body(text=app.t(visit.print_message_key), bold=True,
                                tone="error" if visit.print_status == "failed" else "success"))
        if show_qr:
            box.add_widget(Body(text=app.t("summary.scan_instead")))
        if link is not None:
            row = BoxLayout(size_hint_y=None, spacing=app.gap_px)
            qr = QRCode(data=link.url, size=(app.target_px * (4 if show_qr else 2.5),) * 2)
            row.height = qr.height
            row.add_widget(qr)
            row.add_widget(Body(text=f"{link.label}\n{link.url}"))
            box.add_widget(row)
        box.add_widget(Body(text=app.t("summary.help_line")))
        printing = visit.print_status in ("printing", "done")
        self.ids.print_button.disabled = printing or not app.printing_available()
        self.ids.scroller.scroll_y = 1

    def spoken_text(self) -> str:
        return ". ".join(w.text for w in reversed(self.ids.content.children) if isinstance(w, (Title, Body)))
