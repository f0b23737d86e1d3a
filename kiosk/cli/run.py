"""`kiosk run`: open the kiosk full screen."""

from __future__ import annotations

import argparse
import logging

from kiosk import config as config_mod

log = logging.getLogger(__name__)


def _run(args: argparse.Namespace) -> int:
    from kiosk.content.loader import load_pack
    from kiosk.content.schema_memo import SchemaMemo
    from kiosk.privacy import reexec_with_wiping_allocator

    # First, before anything a visitor types can exist: freed memory must be overwritten
    # (systemd and scripts/run.sh already set it; this catches any other start).
    reexec_with_wiping_allocator()

    cfg = config_mod.load(args.config)
    if cfg.updates.enabled:
        from kiosk.updates.client import ContentUpdater

        # The signed pack in use, else the last good one, else the shipped one (and which, in the log).
        pack, which = ContentUpdater(cfg).load_active_pack()
        log.info("content: %s", which)
    else:
        # Files that passed the schema check at an earlier start skip it (0.4 s of the start).
        memo = SchemaMemo(cfg.data_dir / "content-checked.json")
        pack = load_pack(cfg.kiosk.content_dir, memo=memo)  # a ContentError is one line, exit 2 (kiosk.cli.errors)
    # Kivy is imported only when the kiosk really starts; kiosk.app sets the environment
    # Kivy reads first (kiosk/kivy_env.py).
    from kiosk.app import run

    return run(cfg, pack)


def register(sub, add_config) -> None:
    parser = sub.add_parser("run", help="open the kiosk full screen")
    add_config(parser)
    parser.set_defaults(func=_run)
