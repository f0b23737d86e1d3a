"""`kiosk run`: open the kiosk full screen."""

from __future__ import annotations

import argparse
import logging

from kiosk import config as config_mod

log = logging.getLogger(__name__)


def _run(args: argparse.Namespace) -> int:
    from kiosk.privacy import reexec_with_wiping_allocator

    # First, before anything a visitor types can exist: freed memory must be overwritten
    # (systemd and scripts/run.sh already set it; this catches any other start).
    reexec_with_wiping_allocator()

    cfg = config_mod.load(args.config)
    if cfg.browsing.enabled:
        from pathlib import Path

        from kiosk.browser.compositor import run_in_sway

        # Outside the kiosk's sway (scripts/run.sh on a technician's machine): sway first,
        # which starts this command again inside it.
        status = run_in_sway(Path(args.config) if args.config else None, cfg.browsing.profile_root.expanduser())
        if status is not None:
            return status
    if cfg.updates.enabled:
        from kiosk.updates.client import ContentUpdater

        # The signed pack in use, else the last good one, else the shipped one (and which, in the log).
        pack, which = ContentUpdater(cfg).load_active_pack()
        log.info("content: %s", which)
    else:
        pack = _load_pack(cfg)
    # Kivy is imported only when the kiosk really starts; kiosk.app sets the environment
    # Kivy reads first (kiosk/kivy_env.py).
    from kiosk.app import run

    return run(cfg, pack)


def _load_pack(cfg):
    """The pack, with the memos of earlier starts: files that passed the schema check skip it
    (0.4 s of the start), files parsed before are not parsed again (0.2 s). The memos are let
    go of before the window opens (a ContentError is one line, exit 2: kiosk.cli.errors)."""
    from kiosk.content.loader import load_pack
    from kiosk.content.parse_memo import ParseMemo
    from kiosk.content.schema_memo import SchemaMemo

    parsed = ParseMemo(cfg.data_dir / "content-parsed.json")
    try:
        return load_pack(cfg.kiosk.content_dir, memo=SchemaMemo(cfg.data_dir / "content-checked.json"),
                         parsed=parsed)
    finally:
        parsed.close()


def register(sub, add_config) -> None:
    parser = sub.add_parser("run", help="open the kiosk full screen")
    add_config(parser)
    parser.set_defaults(func=_run)
