"""The services a kiosk runs with, and how the real ones are made from the config.

Tests build a Services of their own (a recording help desk, a dummy printer); `kiosk run`
uses default_services. Nothing here imports Kivy.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.browser.service import BrowserService
from kiosk.config import Config
from kiosk.ports import HelpDesk, Printer, StatsSink

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The hardware and network services the kiosk talks to; None means not there."""

    printer: Printer | None = None
    helpcall: HelpDesk | None = None
    stats: StatsSink | None = None
    # Fleet: signed content updates (kiosk.updates.client.UpdateService) and the health
    # textfile for node_exporter (kiosk.metrics.MetricsWriter); both do nothing when off.
    updates: Any = None
    metrics: Any = None
    browser: BrowserService | None = None  # guided browsing ([browsing] enabled)

    def close(self) -> None:
        for service in (self.updates, self.metrics, self.printer, self.helpcall, self.stats, self.browser):
            if service is not None:
                try:
                    service.close()
                except Exception:
                    log.exception("closing %s failed", type(service).__name__)


def default_services(cfg: Config) -> Services:
    # Imported here, not at the top: the printer stack imports python-escpos (~0.2 s),
    # which only a real start needs.
    from hardware.printer import PrintService
    from kiosk.helpcall import HelpCallService
    from kiosk.helpcall.ticket import ticket_printer
    from kiosk.metrics import MetricsWriter
    from kiosk.stats import Stats
    from kiosk.updates.client import UpdateService

    printer = PrintService(cfg) if cfg.printer.connection != "none" else None
    stats = Stats(cfg.data_path(cfg.stats.db_file), flush_interval_s=cfg.stats.flush_interval_s)
    helpcall = HelpCallService(cfg, print_ticket=ticket_printer(cfg, printer))
    metrics = MetricsWriter(cfg, today=stats.today,
                            printer_state=lambda: printer.status.value if printer is not None else None)
    return Services(printer=printer, helpcall=helpcall, stats=stats, updates=UpdateService(cfg), metrics=metrics,
                    browser=browser_service(cfg))


def browser_service(cfg: Config) -> BrowserService | None:
    """The guided-browsing service when [browsing] enabled, else None (the QR code path)."""
    if not cfg.browsing.enabled:
        return None
    from kiosk.browser.allowlist import parse_extra
    from kiosk.browser.check import policy_problem
    from kiosk.browser.columns import ColumnWidths
    from kiosk.browser.session import BrowserSession

    b = cfg.browsing
    # No current managed policy, no browser: without it every site would open.
    session = BrowserSession(b.chromium, b.profile_root.expanduser(), open_timeout_s=b.open_timeout_s,
                             preflight=lambda: policy_problem(b.policy_file, b.allow_extra),
                             guard_extra=parse_extra(b.allow_extra))  # the kiosk's page for refused addresses
    # Under the kiosk's sway (SWAYSOCK set by sway for what it starts), the guide widens with
    # the text size (kiosk/browser/columns.py).
    socket = os.environ.get("SWAYSOCK")
    columns = ColumnWidths(socket) if socket else None
    return BrowserService(session, extra=parse_extra(b.allow_extra), columns=columns)


# Why a session ended, in the words of kiosk.stats (finished | inactivity | failsafe | …).
END_REASONS = {"visitor finished": "finished", "visitor erased": "finished",
               "inactivity": "inactivity", "failsafe": "failsafe"}


def stats_sink(stats: StatsSink) -> Callable[[str, str, str, float], None]:
    """Turn the session machine's events into statistics counters."""
    def sink(event: str, procedure_id: str, step_id: str, value: float) -> None:
        if event == "session_started":
            stats.session_started()
        elif event == "session_ended":
            stats.session_ended(value, END_REASONS.get(step_id, "other"))
        elif event == "procedure_started":
            stats.procedure_started(procedure_id)
        elif event == "procedure_finished":
            stats.procedure_finished(procedure_id)
        elif event == "procedure_abandoned":
            stats.procedure_abandoned(procedure_id, step_id)
    return sink
