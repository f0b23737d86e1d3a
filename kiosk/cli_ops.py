"""`kiosk doctor`, `kiosk pin hash`, `kiosk stats export`: tools for technicians."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from kiosk import config as config_mod


class UsageError(Exception):
    """Bad usage: one line on stderr, exit 2."""


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import run_checks

    cfg = config_mod.load(args.config)
    results = run_checks(cfg)
    for result in results:
        print(result.line())
    counts = {level: sum(r.level == level for r in results) for level in ("OK", "WARN", "FAIL")}
    print(f"{counts['OK']} OK, {counts['WARN']} WARN, {counts['FAIL']} FAIL")
    return 1 if counts["FAIL"] else 0


def _read_new_pin() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("New PIN (digits): ")
        if getpass.getpass("Same PIN again: ") != first:
            raise UsageError("the two PINs differ; nothing was made")
        return first
    return sys.stdin.readline().rstrip("\r\n")  # for scripts: echo 1234 | kiosk pin hash


def _pin_hash(args: argparse.Namespace) -> int:
    from kiosk.pin import hash_pin, pin_format_problem

    pin = _read_new_pin()
    problem = pin_format_problem(pin)
    if problem:
        raise UsageError(problem)
    print(hash_pin(pin))
    key = "technician_pin_hash" if args.technician else "pin_hash"
    print(f"Paste this line into the [conseiller] section of the config: {key} = \"<the line above>\"",
          file=sys.stderr)
    return 0


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


def _guarded(func):
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except UsageError as e:
            print(f"kiosk: {e}", file=sys.stderr)
            return 2
    return run


def register(sub, add_config) -> None:
    p = sub.add_parser("doctor", help="check config, content, display, printer, devices, disk and clock")
    add_config(p)
    p.set_defaults(func=_guarded(_doctor))

    p = sub.add_parser("pin", help="conseiller and technician PINs")
    psub = p.add_subparsers(dest="pin_command", metavar="ACTION", required=True)
    h = psub.add_parser("hash", help="make the hash of a new PIN for the config file (reads the PIN)")
    h.add_argument("--technician", action="store_true", help="say which config key the hash is for")
    h.set_defaults(func=_guarded(_pin_hash))

    p = sub.add_parser("stats", help="anonymous usage figures")
    ssub = p.add_subparsers(dest="stats_command", metavar="ACTION", required=True)
    e = ssub.add_parser("export", help="write daily figures as CSV")
    e.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    e.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, YYYY-MM-DD (included)")
    e.add_argument("--out", metavar="FILE", help="CSV file to write (default: standard output)")
    e.add_argument("--sep", default=",", help="column separator (';' for French spreadsheets)")
    add_config(e)
    e.set_defaults(func=_guarded(_stats_export))
