"""`kiosk config`: check a config file, or print every key with its default."""

from __future__ import annotations

import argparse

from kiosk import config as config_mod


def _config(args: argparse.Namespace) -> int:
    if args.defaults:
        print(config_mod.describe())
        return 0
    cfg = config_mod.load(args.config)
    print(f"{cfg.source}: OK")
    return 0


def register(sub, add_config) -> None:
    parser = sub.add_parser("config", help="check a config file, or print every key with its default")
    add_config(parser)
    parser.add_argument("--defaults", action="store_true", help="print every key, its default and what is allowed")
    parser.set_defaults(func=_config)
