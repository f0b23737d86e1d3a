"""`kiosk content …`: check and inspect content packs."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from kiosk import config as config_mod
from kiosk.cli.errors import UsageError

# What the commands use is imported in them: `kiosk run` builds this parser too, and the
# validator's and the facts' modules took 0.04 s of every kiosk start (bench/startup.py).

DEFAULT_LOCALES_DIR = config_mod.ASSETS_DIR / "locales"


def _validate(args: argparse.Namespace) -> int:
    from kiosk.content.loader import ContentError, load_pack
    from kiosk.content.locale_fit import fit_problems
    from kiosk.content.validate import locale_fallbacks, locale_problems, review_warnings

    root = Path(args.path) if args.path else config_mod.load(args.config).kiosk.content_dir
    if not root.is_dir():
        raise UsageError(f"content validate: {root} is not a folder")
    problems, pack = [], None
    try:
        pack = load_pack(root, strict=True)
    except ContentError as e:
        problems += e.problems
    if args.locales:
        found = locale_problems(Path(args.locales))
        # Words measured only in catalogs that read well (French must load for any of them).
        problems += found or fit_problems(Path(args.locales))
        # Not problems: a key a translation lacks is shown in French. Say which, for translators.
        for code, keys in locale_fallbacks(Path(args.locales)).items():
            if keys:
                print(f"locale {code}: {len(keys)} key(s) shown in French: {', '.join(keys)}")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {root}", file=sys.stderr)
        return 1
    # Old facts are a warning, not a failure: the procedure may still be true.
    warnings = review_warnings(pack.procedures.values(), date.today())
    # A translation made from an older French text still shows (marked « translated from
    # an older French text »): a warning for the translator, not a failure.
    for warning in pack.warnings:
        print(warning, file=sys.stdout if warning.rule == "translation-fallback" else sys.stderr)
    for warning in warnings:
        print(warning, file=sys.stderr)
    steps = sum(len(p.steps) for p in pack.procedures.values())
    print(f"{root}: OK, {len(pack.procedures)} procedures, {steps} steps, "
          f"{len(pack.categories)} categories checked"
          + (f"; {len(warnings)} due for review (checked more than 12 months ago)" if warnings else "")
          + (f"; {sum(map(len, pack.translations.values()))} translations"
             + (f", {older} from an older French text" if (older := sum(
                 w.rule == "translation-older" for w in pack.warnings)) else "")
             if pack.translations else "")
          + (f"; locale files in {args.locales} OK" if args.locales else ""))
    return 0


def _facts(args: argparse.Namespace) -> int:
    from kiosk.content.facts import as_markdown, pack_facts
    from kiosk.content.loader import ContentError, load_pack

    root = Path(args.path) if args.path else config_mod.load(args.config).kiosk.content_dir
    if not root.is_dir():
        raise UsageError(f"content facts: {root} is not a folder")
    try:
        pack = load_pack(root, strict=True)
    except ContentError as e:
        raise UsageError(f"content facts: {root} does not validate ({len(e.problems)} problem(s)): "
                         "run kiosk content validate") from None
    print(as_markdown(pack_facts(pack)))
    return 0


def register(sub, add_config) -> None:
    parser = sub.add_parser("content", help="check content packs")
    actions = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check a content pack (default: the configured one): "
                                  "schema, branches, links, images, writing rules")
    validate.add_argument("path", nargs="?", help="content pack folder")
    validate.add_argument("--locales", nargs="?", const=str(DEFAULT_LOCALES_DIR), metavar="DIR",
                          help="also check the gettext catalogs (.po): keys, stale msgids, placeholders, plural forms, "
                          "typography, glyphs; "
                          f"list the keys each translation shows in French (default {DEFAULT_LOCALES_DIR})")
    add_config(validate)
    validate.set_defaults(func=_validate)
    facts = actions.add_parser("facts", help="list the lines with a figure, a date or a price of each procedure, "
                               "oldest check first, as a checklist to confirm against the official sites")
    facts.add_argument("path", nargs="?", help="content pack folder")
    add_config(facts)
    facts.set_defaults(func=_facts)
