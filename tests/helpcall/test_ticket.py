"""One ticket printer for the kiosk (fire and forget) and `kiosk call-test` (waits for the paper)."""

from __future__ import annotations

import threading
from dataclasses import replace
from types import SimpleNamespace

import pytest

from kiosk.config import Config, PrinterSection
from kiosk.helpcall.ticket import TicketNotPrinted, ticket_printer


class RecordingPrinter:
    """Takes jobs like PrintService.submit; the test decides whether and how each one ends."""

    def __init__(self, accept=True, outcome=None):
        self.accept, self.outcome = accept, outcome
        self.jobs = []
        self.last_refusal_key = "print.paper_out" if not accept else None

    def submit(self, receipt, job_key, on_done):
        self.jobs.append((receipt, job_key))
        if not self.accept:
            return False
        if self.outcome is not None:
            threading.Thread(target=on_done, args=(self.outcome,)).start()  # on the printer's thread
        return True


CFG = Config(printer=replace(PrinterSection(), job_timeout_s=1))


def test_no_printer_no_ticket_channel():
    assert ticket_printer(CFG, None) is None
    assert ticket_printer(CFG, None, wait=True) is None


def test_the_kiosk_does_not_wait_for_the_paper():
    printer = RecordingPrinter(outcome=None)  # never finishes
    ticket_printer(CFG, printer)(12)
    [(receipt, key)] = printer.jobs
    assert key == "ticket-12" and "12" in str(receipt)


def test_a_refused_ticket_raises_an_oserror_naming_why():
    with pytest.raises(OSError) as err:
        ticket_printer(CFG, RecordingPrinter(accept=False))(3)
    assert isinstance(err.value, TicketNotPrinted) and "print.paper_out" in str(err.value)


def test_a_test_waits_for_the_outcome():
    ticket_printer(CFG, RecordingPrinter(outcome=SimpleNamespace(ok=True, message_key="print.done")), wait=True)(0)
    failing = RecordingPrinter(outcome=SimpleNamespace(ok=False, message_key="print.offline"))
    with pytest.raises(TicketNotPrinted, match="print.offline"):
        ticket_printer(CFG, failing, wait=True)(0)
