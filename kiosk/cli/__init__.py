"""The `kiosk` command: run the kiosk, and the tools conseillers and technicians use.

One module per subcommand (kiosk.cli.run, .config, .content, .doctor, .call_test, .browser,
.print_test, .pin, .stats, .updates), each with register(subparsers, add_config). This file wires
the arguments and holds the one error policy (kiosk.cli.errors): errors a technician can
fix are one plain line on stderr with exit code 2, a check that failed exits 1, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from kiosk.cli.errors import EXIT_CANNOT_RUN, CheckFailed, UsageError, explain

__all__ = ["CheckFailed", "UsageError", "build_parser", "main"]

# Modules that own subcommands, in the order `kiosk --help` lists them.
COMMANDS = ("kiosk.cli.run", "kiosk.cli.config", "kiosk.cli.content", "kiosk.cli.doctor", "kiosk.cli.call_test",
            "kiosk.cli.print_test", "kiosk.cli.pin", "kiosk.cli.stats", "kiosk.cli.updates",
            "kiosk.cli.browser")


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="TOML config file (default: embedded defaults)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Pas à pas: guided online procedures on a touch kiosk.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub, add_config)
    return parser


def _configure_logging(verbose: bool) -> None:
    from kiosk.helpcall.redact import install_log_redaction

    install_log_redaction()  # before the first line: no URL path or webhook secret reaches a log
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_CANNOT_RUN
    try:
        return args.func(args)
    except Exception as error:
        known = explain(error)
        if known is None:
            raise
        code, line = known
        print(f"kiosk: {line}", file=sys.stderr)
        return code
