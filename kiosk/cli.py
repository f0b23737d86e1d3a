"""The `kiosk` command: run the kiosk, and the tools conseillers and technicians use.

Each subcommand lives in the module that owns its job; this file only wires arguments.
Errors a technician can fix are printed as one plain line on stderr with exit code 2
(1 for a check that failed), never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from kiosk import config as config_mod


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="TOML config file (default: embedded defaults)")


def _cmd_run(args: argparse.Namespace) -> int:
    from kiosk.content.loader import ContentError, load_pack

    cfg = config_mod.load(args.config)
    try:
        pack = load_pack(cfg.kiosk.content_dir)
    except ContentError as e:
        print(f"kiosk: content pack {cfg.kiosk.content_dir} has {len(e.problems)} problem(s), "
              f"first: {e.problems[0]} (`kiosk content validate` lists them all)", file=sys.stderr)
        return 2
    # Kivy reads its own arguments and writes files under ~/.kivy unless told otherwise.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kiosk.app import run  # Kivy is imported only when the kiosk really starts

    return run(cfg, pack)


def _cmd_config(args: argparse.Namespace) -> int:
    if args.defaults:
        print(config_mod.describe())
        return 0
    cfg = config_mod.load(args.config)
    print(f"{cfg.source}: OK")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Pas à pas: guided online procedures on a touch kiosk.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="open the kiosk full screen")
    _add_config(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("config", help="check a config file, or print every key with its default")
    _add_config(p)
    p.add_argument("--defaults", action="store_true", help="print every key, its default and what is allowed")
    p.set_defaults(func=_cmd_config)

    for register in _extensions():
        register(sub, _add_config)
    return parser


# Modules that own subcommands; each has register(subparsers, add_config).
EXTENSIONS = ("kiosk.cli_content", "kiosk.cli_ops", "kiosk.cli_helpcall", "kiosk.cli_print")


def _extensions():
    import importlib
    for name in EXTENSIONS:
        yield importlib.import_module(name).register


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except config_mod.ConfigError as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 2
