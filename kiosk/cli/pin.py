"""`kiosk pin hash`: make the hash of a new conseiller or technician PIN for the config file."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli.errors import UsageError


def _read_new_pin() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("New PIN (digits): ")
        if getpass.getpass("Same PIN again: ") != first:
            raise UsageError("the two PINs differ; nothing was made")
        return first
    return sys.stdin.readline().rstrip("\r\n")  # for scripts: echo 1234 | kiosk pin hash


def _pin_hash(args: argparse.Namespace) -> int:
    from kiosk.pin import hash_pin, pin_format_problem

    pin = _read_new_pin()
    problem = pin_format_problem(pin)
    if problem:
        raise UsageError(problem)
    print(hash_pin(pin))
    key = "technician_pin_hash" if args.technician else "pin_hash"
    print(f"Paste this line into the [conseiller] section of the config: {key} = \"<the line above>\"",
          file=sys.stderr)
    return 0


def register(sub, add_config) -> None:
    parser = sub.add_parser("pin", help="conseiller and technician PINs")
    actions = parser.add_subparsers(dest="pin_command", metavar="ACTION", required=True)
    make = actions.add_parser("hash", help="make the hash of a new PIN for the config file (reads the PIN)")
    make.add_argument("--technician", action="store_true", help="say which config key the hash is for")
    make.set_defaults(func=_pin_hash)
