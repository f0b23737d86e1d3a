"""`kiosk print-test`: print a test receipt (accents, €, QR) on the configured printer."""

from __future__ import annotations

import argparse
import threading
from datetime import datetime

from kiosk import config as config_mod
from kiosk.cli.errors import CheckFailed

WAIT_GRACE_S = 5.0

# What each outcome means for the technician at the printer.
ADVICE = {
    "print.paper_out": "the printer is out of paper: put in a new roll",
    "print.offline": "the printer cannot be reached or gives no status: check power, cable and [printer] settings",
    "print.timeout": "the printer did not take the whole receipt within [printer] job_timeout_s",
    "print.failed": "sending the receipt failed (see the log line above)",
}


def _print_test(args: argparse.Namespace) -> int:
    cfg = config_mod.load(args.config)
    if cfg.printer.connection == "none":
        raise CheckFailed('no printer to test: [printer] connection = "none"')
    from hardware.printer import FileConnection, PrintService, make_connection
    from kiosk.receipts import build_help_ticket, build_test_receipt

    now = datetime.now()
    receipt = (build_help_ticket(args.ticket, cfg.kiosk, now) if args.ticket is not None
               else build_test_receipt(cfg.kiosk, now))
    conn = make_connection(cfg)
    service = PrintService(cfg, connection_factory=lambda: conn)
    done = threading.Event()
    result = []

    def on_done(outcome) -> None:
        result.append(outcome)
        done.set()

    try:
        if not service.submit(receipt, "print-test", on_done):
            raise CheckFailed(f"print-test refused: {service.last_refusal_key}")
        wait_s = cfg.printer.job_timeout_s + 2 * cfg.printer.io_timeout_s + WAIT_GRACE_S
        if not done.wait(wait_s):
            raise CheckFailed(f"print-test: no result within {wait_s:.0f} s from {conn.name}")
        status = service.status
    finally:
        service.close()
    outcome = result[0]
    if not outcome.ok:
        detail = getattr(conn, "last_error", None)
        advice = ADVICE.get(outcome.message_key, outcome.message_key)
        raise CheckFailed(f"print-test failed on {conn.name} (status {status.value}): {advice}"
                          + (f" [{detail}]" if detail else ""))
    if isinstance(conn, FileConnection):
        print(f"print-test: OK, receipt written to {conn.last_path} (raw ESC/POS bytes, not paper)")
    else:
        print(f"print-test: OK, sent to {conn.name} (status {status.value}): check that the accents and € "
              "read right and that the QR code opens the site")
    return 0


def register(sub, add_config) -> None:
    parser = sub.add_parser("print-test", help="print a test receipt (accents, €, QR) on the configured printer")
    add_config(parser)
    parser.add_argument("--ticket", type=int, metavar="N", help="print a help ticket with number N instead")
    parser.set_defaults(func=_print_test)
