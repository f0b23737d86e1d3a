"""`kiosk content …`: check and inspect content packs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk import config as config_mod
from kiosk.content.loader import ContentError, load_pack


def _validate(args: argparse.Namespace) -> int:
    root = Path(args.path) if args.path else config_mod.load(args.config).kiosk.content_dir
    try:
        pack = load_pack(root)
    except ContentError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        print(f"{len(e.problems)} problem(s) in {root}", file=sys.stderr)
        return 1
    steps = sum(len(p.steps) for p in pack.procedures.values())
    print(f"{root}: OK, {len(pack.procedures)} procedures, {steps} steps, "
          f"{len(pack.categories)} categories checked")
    return 0


def register(sub, add_config) -> None:
    p = sub.add_parser("content", help="check content packs")
    csub = p.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    v = csub.add_parser("validate", help="check a content pack (default: the configured one)")
    v.add_argument("path", nargs="?", help="content pack folder")
    add_config(v)
    v.set_defaults(func=_validate)
