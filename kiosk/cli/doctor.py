"""`kiosk doctor`: check config, content, display, printer, devices, disk and clock, one line each."""

from __future__ import annotations

import argparse

from kiosk import config as config_mod

LEVELS = ("OK", "WARN", "FAIL")


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import run_checks

    cfg = config_mod.load(args.config)
    results = run_checks(cfg)
    for result in results:
        print(result.line())
    counts = {level: sum(r.level == level for r in results) for level in LEVELS}
    print(f"{counts['OK']} OK, {counts['WARN']} WARN, {counts['FAIL']} FAIL")
    return 1 if counts["FAIL"] else 0


def register(sub, add_config) -> None:
    parser = sub.add_parser("doctor", help="check config, content, display, printer, devices, disk and clock")
    add_config(parser)
    parser.set_defaults(func=_doctor)
