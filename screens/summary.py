"""The summary: what was done, what is left, papers to bring; print it or finish."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.receipts import papers_to_bring
from kiosk.session import PrintStatus
from screens.widgets import Body, QRCode, Title


class SummaryScreen(Screen):
    _shown: tuple | None = None
    _shown_content: tuple | None = None

    def show(self, machine) -> None:
        app = self.manager.app
        proc, end, visit = machine.procedure, machine.step, machine.visit
        # Rebuild only when what is shown changes (see HomeScreen.show).
        failed = visit.print_status is PrintStatus.FAILED
        shown = (id(visit), proc.id, end.id, visit.print_status, visit.print_message_key,
                 app.controller.printing_available(), app.text_scale_index)
        if shown == self._shown:
            return
        self._shown = shown
        link = proc.main_link
        self._show_status(app, visit, link if failed else None)
        printing = visit.print_status in (PrintStatus.PRINTING, PrintStatus.DONE)
        self.ids.print_button.disabled = printing or not app.controller.printing_available()
        # The text above only changes with the visit, the end step, the text size, and a
        # failed print (its QR code moves down to the status): a print starting or done
        # changes the status only.
        content = (id(visit), proc.id, end.id, failed, app.text_scale_index)
        if content == self._shown_content:
            return
        self._shown_content = content
        box = self.ids.content
        box.clear_widgets()
        box.add_widget(Title(text=end.title))
        sections = [("summary.done", list(end.done)), ("summary.todo", list(end.todo)),
                    ("summary.bring", papers_to_bring(proc, visit, end.bring))]
        for key, lines in sections:
            if lines:
                box.add_widget(Body(text=app.t(key), bold=True))
                box.add_widget(Body(text="\n".join(f"•  {line}" for line in lines)))
        if end.where:
            box.add_widget(Body(text=app.t("summary.where"), bold=True))
            box.add_widget(Body(text=end.where))
        if link is not None and not failed:
            box.add_widget(self._qr_row(app, link, size=app.target_px * 2.5))
        box.add_widget(Body(text=app.t("summary.help_line")))
        self.ids.scroller.scroll_y = 1

    def _show_status(self, app, visit, link) -> None:
        """What happened to the print, just above the buttons where the visitor looks;
        when it failed, the QR code to scan instead, whole and big enough."""
        status = self.ids.status
        status.clear_widgets()
        if visit.print_message_key:
            status.add_widget(Body(text=app.t(visit.print_message_key), bold=True,
                                   tone="error" if visit.print_status is PrintStatus.FAILED else "success"))
        if link is not None:
            status.add_widget(self._qr_row(app, link, size=app.target_px * 3.5))

    @staticmethod
    def _qr_row(app, link, size: float) -> BoxLayout:
        row = BoxLayout(size_hint_y=None, spacing=app.gap_px * 2, height=size)
        row.add_widget(QRCode(data=link.url, size=(size, size)))
        row.add_widget(Body(text=f"{link.label}\n{link.url}", pos_hint={"center_y": 0.5}))
        return row

    def spoken_text(self) -> str:
        boxes = (self.ids.content, self.ids.status)
        return ". ".join(w.text for box in boxes for w in reversed(box.children) if isinstance(w, (Title, Body)))
