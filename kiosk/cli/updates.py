"""`kiosk update check` (on a kiosk) and `kiosk content-repo …` (for the content team).

See docs/UPDATES.md for the key ceremony and the daily publish.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kiosk import config as config_mod
from kiosk.cli.errors import CheckFailed, UsageError
from kiosk.cli.stats import _owner_name


def _check(args: argparse.Namespace) -> int:
    from kiosk.updates.client import ContentUpdater

    cfg = config_mod.load(args.config)
    if not cfg.updates.enabled or not cfg.updates.url:
        raise UsageError(f"{cfg.source}: [updates] is off (enabled = true and url are needed)")
    data_dir = cfg.data_dir
    if data_dir.exists() and os.geteuid() != data_dir.stat().st_uid:
        # Files made by another user (root) in data_dir/updates would be unwritable by the kiosk.
        owner = _owner_name(data_dir)
        raise UsageError(f"{data_dir} belongs to {owner}: run this as that user (sudo -u {owner} kiosk update check …)")
    outcome = ContentUpdater(cfg).check()
    print(f"{outcome.result}: {outcome.message} ({outcome.duration_s:.2f} s, {outcome.bytes_fetched} bytes)")
    if outcome.result in ("refused", "error"):
        raise CheckFailed(f"update check {outcome.result}")
    return 0


def _repo_call(fn, *args, **kwargs):
    from kiosk.updates.repo import RepoError

    try:
        return fn(*args, **kwargs)
    except RepoError as e:
        raise UsageError(str(e)) from None


def _init(args: argparse.Namespace) -> int:
    from kiosk.updates import repo

    _repo_call(repo.init, Path(args.repo), Path(args.keys))
    print(f"repository in {args.repo}, keys in {args.keys}: move root-1.pem, root-2.pem and root-3.pem to "
          f"three offline media now; ship {args.repo}/metadata/root.json with every install")
    return 0


def _sign(args: argparse.Namespace) -> int:
    from kiosk.updates import repo

    signed = _repo_call(repo.sign_pack, Path(args.repo), Path(args.keys), Path(args.content), args.version)
    print(f"pack {signed.version} signed: {signed.length} bytes, sha256 {signed.sha256}, "
          f"targets version {signed.targets_version}; now run `kiosk content-repo publish`")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from kiosk.updates import repo

    count = _repo_call(repo.publish, Path(args.repo), Path(args.keys), Path(args.out))
    print(f"{count} files published to {args.out}; the timestamp expires in 1 day: publish again daily")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from kiosk.updates import repo

    keyid = _repo_call(repo.rotate_key, Path(args.repo), Path(args.keys), args.role)
    print(f"{args.role}: new key {keyid[:16]}…; publish, then destroy the .retired key file")
    return 0


def register(sub, add_config) -> None:
    update = sub.add_parser("update", help="signed content updates on this kiosk")
    actions = update.add_subparsers(dest="update_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="fetch and verify a new pack now (used at the next attract screen)")
    add_config(check)
    check.set_defaults(func=_check)

    team = sub.add_parser("content-repo", help="for the content team: keys, signing and publishing of packs")
    steps = team.add_subparsers(dest="repo_command", metavar="ACTION", required=True)

    def step(name: str, help_text: str, func) -> argparse.ArgumentParser:
        parser = steps.add_parser(name, help=help_text)
        parser.add_argument("--repo", required=True, metavar="DIR", help="the repository folder (metadata/, targets/)")
        parser.add_argument("--keys", required=True, metavar="DIR", help="the folder of private keys (.pem)")
        parser.set_defaults(func=func)
        return parser

    step("init", "create keys (root 2 of 3, targets, snapshot, timestamp) and the first metadata", _init)
    sign = step("sign", "validate a content folder and sign it as the new pack", _sign)
    sign.add_argument("content", metavar="CONTENT_DIR")
    sign.add_argument("--version", required=True, help="the pack's version, e.g. 2026.12.1")
    publish = step("publish", "renew snapshot and timestamp and copy to the folder a web server serves", _publish)
    publish.add_argument("--out", required=True, metavar="DIR")
    rotate = step("rotate-key", "replace one key with a new one (needs 2 root keys)", _rotate)
    rotate.add_argument("role", choices=("root-1", "root-2", "root-3", "targets", "snapshot", "timestamp"))
