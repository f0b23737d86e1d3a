"""`kiosk call-test`: send a test call through every configured channel, one line each."""

from __future__ import annotations

import argparse

from kiosk import config as config_mod
from kiosk.cli.errors import CheckFailed


def _call_test(args: argparse.Namespace) -> int:
    from kiosk.helpcall.channels import ChannelError, channels_for
    from kiosk.helpcall.ticket import ticket_printer

    cfg = config_mod.load(args.config)
    printer = None
    if cfg.helpcall.ticket and cfg.printer.connection != "none":
        from hardware.printer import PrintService
        printer = PrintService(cfg)
    try:
        # The same channels as the kiosk's; the lamp's port is opened by its test only, and
        # the ticket waits for the paper, as a technician expects from a test.
        channels = channels_for(cfg, ticket_printer(cfg, printer, wait=True))
        if not channels:
            raise CheckFailed(f"{cfg.source}: no help-call channel configured ([helpcall] webhook_url, "
                              "lamp_device, ticket); a visitor's call reaches nobody")
        failed = 0
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
        if printer is not None:
            printer.close()
    print(f"{len(channels) - failed} OK, {failed} FAIL")
    return 1 if failed else 0


def register(sub, add_config) -> None:
    parser = sub.add_parser("call-test", help="send a test call through every help-call channel")
    add_config(parser)
    parser.set_defaults(func=_call_test)
