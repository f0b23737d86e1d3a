"""`kiosk call-test`: send a test call through every configured channel, one line each."""

from __future__ import annotations

import argparse
import sys

from kiosk import config as config_mod


def _ticket_printer(cfg: config_mod.Config):
    """The receipt printer's ticket function, when this build has one; else None."""
    try:
        from hardware.printer import PrintService
    except ImportError:
        return None, None
    service = PrintService(cfg)
    for name in ("print_ticket", "print_help_ticket"):
        fn = getattr(service, name, None)
        if callable(fn):
            return fn, service
    close = getattr(service, "close", None)
    if close:
        close()
    return None, None


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
