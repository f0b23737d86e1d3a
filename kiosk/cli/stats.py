"""`kiosk stats export`: the anonymous daily figures as CSV, written atomically."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from kiosk import config as config_mod
from kiosk.cli.errors import UsageError


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text}: not a date, write it as YYYY-MM-DD") from None


def _stats_export(args: argparse.Namespace) -> int:
    from kiosk.stats import CSV_COLUMNS, export_csv

    start, end = _date(args.start, "--from"), _date(args.end, "--to")
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    if len(args.sep) != 1:
        raise UsageError(f"--sep {args.sep!r}: one character, e.g. ';' for a French spreadsheet")
    cfg = config_mod.load(args.config)
    db_path = cfg.data_path(cfg.stats.db_file)
    if db_path.exists() and os.geteuid() not in (db_path.stat().st_uid,):
        # Reading a WAL database may create its -shm file; made by another user it would
        # stop the kiosk from writing its figures.
        owner = _owner_name(db_path)
        raise UsageError(f"{db_path} belongs to {owner}: run this as that user (sudo -u {owner} kiosk stats export …)")

    def write(out) -> int:
        if not db_path.exists():
            import csv
            csv.writer(out, delimiter=args.sep, lineterminator="\n").writerow(CSV_COLUMNS)
            print(f"no figures yet in {db_path}", file=sys.stderr)
            return 0
        return export_csv(db_path, start, end, out, delimiter=args.sep)

    if args.out in (None, "-"):
        rows = write(sys.stdout)
    else:
        rows = _write_atomically(Path(args.out), write)
        print(f"{args.out}: {rows} rows from {start} to {end}", file=sys.stderr)
    return 0


def _owner_name(path: Path) -> str:
    import pwd
    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _write_atomically(path: Path, write) -> int:
    path = path.expanduser()
    if not path.parent.is_dir():
        raise UsageError(f"--out {path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            rows = write(out)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rows



def register(sub, add_config) -> None:
    parser = sub.add_parser("stats", help="anonymous usage figures")
    actions = parser.add_subparsers(dest="stats_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write daily figures as CSV")
    export.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, YYYY-MM-DD (included)")
    export.add_argument("--out", metavar="FILE", help="CSV file to write (default: standard output)")
    export.add_argument("--sep", default=",", help="column separator (';' for French spreadsheets)")
    add_config(export)
    export.set_defaults(func=_stats_export)
