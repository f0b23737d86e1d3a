"""The help-call ticket: the visitor's queue number, printed big on the kiosk's receipt printer.

One implementation for the kiosk and for `kiosk call-test`. The kiosk does not wait for the
paper (the ticket channel runs on its own worker and the printer reports its own faults);
a technician's test waits for the outcome and says what happened.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Callable, Protocol

from kiosk.config import Config
from kiosk.receipts import Receipt, build_help_ticket

WAIT_GRACE_S = 5.0  # on top of [printer] job_timeout_s, when waiting for the outcome


class TicketNotPrinted(OSError):
    """The printer refused the ticket or did not print it; the text says why and is safe to log."""


class TicketPrinter(Protocol):
    """What a ticket needs of hardware.printer.PrintService."""

    last_refusal_key: str | None

    def submit(self, receipt: Receipt, job_key: str, on_done: Callable) -> bool: ...


def ticket_printer(cfg: Config, printer: TicketPrinter | None, *, wait: bool = False) -> Callable[[int], None] | None:
    """print_ticket(number) for the ticket channel, or None when there is no printer.

    print_ticket raises TicketNotPrinted (an OSError) when the printer refuses the job; with
    wait=True it also waits up to job_timeout_s + WAIT_GRACE_S for the outcome and raises when
    the ticket was not printed."""
    if printer is None:
        return None

    def print_ticket(number: int) -> None:
        ticket = build_help_ticket(number, cfg.kiosk, datetime.now())
        done = threading.Event()
        outcomes: list = []

        def on_done(outcome) -> None:
            outcomes.append(outcome)
            done.set()

        if not printer.submit(ticket, f"ticket-{number}", on_done if wait else (lambda outcome: None)):
            reason = getattr(printer, "last_refusal_key", None)
            raise TicketNotPrinted("the printer refused the ticket" + (f" ({reason})" if reason else ""))
        if not wait:
            return  # the channel retries later only when the printer refuses
        if not done.wait(cfg.printer.job_timeout_s + WAIT_GRACE_S):
            raise TicketNotPrinted("the printer did not finish within its job timeout")
        if not outcomes[0].ok:
            raise TicketNotPrinted(f"the ticket was not printed ({outcomes[0].message_key})")
    return print_ticket
