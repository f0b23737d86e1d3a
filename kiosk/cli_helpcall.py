"""`kiosk call-test`: send a test call through every configured channel, one line each."""

from __future__ import annotations

import argparse
import sys

from kiosk import config as config_mod


def _ticket_printer(cfg: config_mod.Config):
    """(print_ticket, service): prints a real ticket on the configured printer and waits
    for the outcome, as a technician expects from a test; (None, None) with no printer."""
    if cfg.printer.connection == "none":
        return None, None
    import threading
    from datetime import datetime

    from hardware.printer import PrintService
    from kiosk.helpcall_channels import ChannelError
    from kiosk.receipts import build_help_ticket

    service = PrintService(cfg)

    def print_ticket(number: int) -> None:
        done = threading.Event()
        outcome = []
        receipt = build_help_ticket(number, cfg.kiosk, datetime.now())
        if not service.submit(receipt, f"call-test-{number}", lambda o: (outcome.append(o), done.set())):
            raise ChannelError(f"the printer refused the ticket ({service.last_refusal_key})")
        if not done.wait(cfg.printer.job_timeout_s + 5):
            raise ChannelError("the printer did not finish within its job timeout")
        if not outcome[0].ok:
            raise ChannelError(f"the ticket was not printed ({outcome[0].message_key})")
    return print_ticket, service


def _call_test(args: argparse.Namespace) -> int:
    from kiosk.helpcall_channels import ChannelError, LampChannel, TicketChannel, WebhookChannel

    cfg = config_mod.load(args.config)
    s = cfg.helpcall
    channels = []
    printer = None
    if s.webhook_url:
        channels.append(WebhookChannel(cfg))
    if s.lamp_device:
        channels.append(LampChannel(cfg, None))
    if s.ticket:
        print_ticket, printer = _ticket_printer(cfg)
        channels.append(TicketChannel(print_ticket))
    if not channels:
        print(f"{cfg.source}: no help-call channel configured ([helpcall] webhook_url, lamp_device, ticket); "
              "a visitor's call reaches nobody", file=sys.stderr)
        return 1
    failed = 0
    try:
        for channel in channels:
            try:
                print(f"OK   {channel.name}: {channel.send_test(cfg)}")
            except ChannelError as e:
                failed += 1
                print(f"FAIL {channel.name}: {e}")
            except Exception as e:  # a technician gets one line, not a traceback
                failed += 1
                print(f"FAIL {channel.name}: {type(e).__name__}: {e}")
    finally:
        if printer is not None and hasattr(printer, "close"):
            printer.close()
    print(f"{len(channels) - failed} OK, {failed} FAIL")
    return 1 if failed else 0


def register(sub, add_config) -> None:
    p = sub.add_parser("call-test", help="send a test call through every help-call channel")
    add_config(p)
    p.set_defaults(func=_call_test)
