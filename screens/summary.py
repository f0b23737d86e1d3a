"""The summary: what was done, what is left, papers to bring; print it or finish."""

from __future__ import annotations

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.screenmanager import Screen

from kiosk.receipt_qr import QR_BORDER_MODULES, build_payload, make_code
from kiosk.receipts import BlockKind, papers_to_bring
from kiosk.session import PrintStatus
from screens.widgets import Body, KButton, QRCode, Title, code_row


class ReceiptQRCode(Image):
    """The receipt as a QR code (kiosk/receipt_qr.py), crisp at any size."""

    data = StringProperty("")

    def on_data(self, _instance, value: str) -> None:
        if not value:
            self.texture = None
            return
        matrix = make_code(value).matrix
        border, n = QR_BORDER_MODULES, len(matrix)
        size = n + 2 * border
        pixels = bytearray(b"\xff" * size * size * 3)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    at = ((y + border) * size + x + border) * 3
                    pixels[at:at + 3] = b"\x00\x00\x00"
        texture = Texture.create(size=(size, size), colorfmt="rgb")
        texture.blit_buffer(bytes(pixels), colorfmt="rgb", bufferfmt="ubyte")
        texture.flip_vertical()
        texture.mag_filter = texture.min_filter = "nearest"
        self.texture = texture


class SummaryScreen(Screen):
    beside = BooleanProperty(False)  # the buttons in a column beside the text (summary.kv)
    _shown: tuple | None = None
    _shown_content: tuple | None = None
    receipt_qr: ReceiptQRCode | None = None  # the code carrying the receipt, when there is no paper

    def on_beside(self, _instance, beside: bool) -> None:
        """Beside the text, « Précédent » stands under the text, at the side a visitor goes
        back to, and the column keeps « Imprimer » and « Terminer »: three buttons in the
        column did not fit under the top bar and the help banner at 1.5× (471 px in 365)."""
        ids = self.ids
        button, wanted = ids.previous_button, ids.text_column if beside else ids.buttons
        if button.parent is wanted:
            return
        button.parent.remove_widget(button)
        if beside:
            wanted.add_widget(button)  # last: under the text and the status
        else:
            wanted.add_widget(button, index=len(wanted.children) - 1)  # first, after the spacer

    def show(self, machine) -> None:
        app = self.manager.app
        proc, end, visit = machine.procedure, machine.step, machine.visit
        # Rebuild only when what is shown changes (see HomeScreen.show).
        problem = app.controller.printer_problem()
        shown = (id(visit), id(proc), proc.id, end.id, visit.print_status, visit.print_message_key,
                 problem, app.text_scale_index, app.language)
        if shown == self._shown:
            return
        self._shown = shown
        self._show_status(app, visit, problem)
        done = visit.print_status is PrintStatus.DONE
        self.ids.print_button.label = app.t("summary.print_again" if done else "summary.print")
        self.ids.print_button.disabled = visit.print_status is PrintStatus.PRINTING or problem is not None
        # The text above changes with the visit, the end step, the text size, and whether
        # there is paper to take: a print starting or done changes the status only.
        no_paper = problem is not None or visit.print_status is PrintStatus.FAILED
        content = (id(visit), id(proc), proc.id, end.id, no_paper, app.text_scale_index,
                   app.controller.summary_site(), app.controller.site_beside(), app.language)
        if content == self._shown_content:
            return
        self._shown_content = content
        self._show_content(app, machine, no_paper)

    def _show_content(self, app, machine, no_paper: bool) -> None:
        proc, end, visit = machine.procedure, machine.step, machine.visit
        box = self.ids.content
        box.clear_widgets()
        box.add_widget(Title(text=end.title))
        receipt = app.controller.receipt_preview()
        # No paper to take away: the code carries what the receipt would have said. First,
        # under the title, where the page opens: whole, to be scanned without scrolling.
        if no_paper:
            box.add_widget(self._receipt_qr_row(app, build_payload(receipt).text))
        self._show_site(app, box)  # near the top: the visitor may want the site first
        sections = [("summary.done", list(end.done)), ("summary.todo", list(end.todo)),
                    ("summary.bring", papers_to_bring(proc, visit, end.bring))]
        for key, lines in sections:
            if lines:
                box.add_widget(Body(text=app.t(key), bold=True))
                box.add_widget(Body(text="\n".join(f"•  {line}" for line in lines)))
        if end.where:
            box.add_widget(Body(text=app.t("summary.where"), bold=True))
            box.add_widget(Body(text=end.where))
        # What the visitor typed, exactly as the receipt prints it (masked or in full).
        typed = [b.text for b in receipt.blocks if b.personal and b.kind is BlockKind.TEXT]
        if typed:
            box.add_widget(Body(text=app.t("summary.your_info"), bold=True))
            box.add_widget(Body(text="\n".join(typed)))
        link = proc.link_on_path(visit.history)
        if link is not None and not no_paper:
            box.add_widget(self._qr_row(app, link, size=app.target_px * 2.5))
        help_lines = app.controller.help_lines()
        if help_lines:  # only lines the office configured: the kiosk cannot vouch for any other
            box.add_widget(Body(text=app.t("receipt.help_heading"), bold=True))
            box.add_widget(Body(text="\n".join(f"•  {line}" for line in help_lines)))
        self.ids.scroller.scroll_y = 1

    @staticmethod
    def _show_site(app, box) -> None:
        """Guided browsing: the link on the visitor's path opens beside the summary."""
        if app.controller.summary_site() is None:
            return
        if app.controller.site_beside() == "unavailable":
            box.add_widget(Body(text=app.t("browse.summary_unavailable"), bold=True))
        else:
            box.add_widget(KButton(label=app.t("browse.open_site"), icon="open-in-new", role="primary",
                                   on_release=lambda *_: app.controller.open_summary_site()))

    def _show_status(self, app, visit, problem: str | None) -> None:
        """Just above the buttons, where the visitor looks: why « Imprimer » cannot be used
        (one plain line), or what happened to the print."""
        status = self.ids.status
        status.clear_widgets()
        if visit.print_message_key:
            status.add_widget(Body(text=app.t(visit.print_message_key), bold=True,
                                   tone="error" if visit.print_status is PrintStatus.FAILED else "success"))
        elif problem is not None:
            status.add_widget(Body(text=app.t(problem), bold=True))

    def _receipt_qr_row(self, app, payload: str) -> BoxLayout:
        size = app.target_px * 4
        self.receipt_qr = ReceiptQRCode(data=payload, size=(size, size), size_hint=(None, None),
                                        fit_mode="contain")
        return code_row(app, self.receipt_qr, app.t("summary.scan_receipt"))

    def wipe(self) -> None:
        """The summary shows what the visitor typed (as it prints): drop it at reset."""
        self._shown = self._shown_content = None
        self.receipt_qr = None
        self.ids.content.clear_widgets()
        self.ids.status.clear_widgets()

    def is_empty(self) -> bool:
        return not self.ids.content.children and not self.ids.status.children

    @staticmethod
    def _qr_row(app, link, size: float) -> BoxLayout:
        return code_row(app, QRCode(data=link.url, size=(size, size)), f"{link.label}\n{link.url}")

    def spoken_text(self) -> str:
        return self.manager.app.controller.screen_text()  # kiosk/reading.py
