"""`kiosk browser policy`: write Chromium's managed policy from the allow-list (as root).

`--check` only compares the installed file with what would be written (exit 1 if it
differs or is missing); `--print` writes the JSON to standard output instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk import config as config_mod
from kiosk.cli.errors import CheckFailed, UsageError


def _policy(args: argparse.Namespace) -> int:
    from kiosk.browser.allowlist import parse_extra
    from kiosk.browser.policy import build_policy, install, installed_state, render

    cfg = config_mod.load(args.config)
    policy = build_policy(parse_extra(cfg.browsing.allow_extra))
    path = Path(args.out) if args.out else cfg.browsing.policy_file
    if args.print:
        sys.stdout.write(render(policy).decode("utf-8"))
        return 0
    if args.check:
        state = installed_state(path, policy)
        if state != "current":
            raise CheckFailed(f"{path}: {state}; run `sudo kiosk browser policy` to install it")
        print(f"{path}: current")
        return 0
    try:
        install(path, policy)
    except PermissionError:
        raise UsageError(f"{path}: permission denied; run it as root (sudo kiosk browser policy)") from None
    allowed = len(policy["URLAllowlist"])  # type: ignore[arg-type]
    print(f"{path}: written, {allowed} allowed sites, every other address blocked")
    return 0


def register(sub, add_config) -> None:
    parser = sub.add_parser("browser", help="guided browsing: Chromium's managed policy")
    actions = parser.add_subparsers(dest="browser_command", metavar="ACTION", required=True)
    policy = actions.add_parser("policy", help="write the managed policy generated from the allow-list")
    policy.add_argument("--out", metavar="FILE", help="where to write (default: [browsing] policy_file)")
    group = policy.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="only check the installed file is current")
    group.add_argument("--print", action="store_true", help="print the JSON instead of writing it")
    add_config(policy)
    policy.set_defaults(func=_policy)
