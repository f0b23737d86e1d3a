"""Anonymous daily counters: how much the kiosk is used, never who used it.

Only aggregate counts per day are kept: sessions and how they ended, procedures started,
finished and abandoned (with the step where visitors gave up), help calls, prints and
print failures, the total session time. No timestamp finer than the day, no free text, no
per-visitor trail. Identifiers (procedure, step, reason) must look like content ids, so
nothing a visitor typed can slip in.

Calls come from the UI thread and never touch the disk: they update an in-memory mirror
and queue the increment; a writer thread upserts the queue into SQLite every
flush_interval_s. Only the constructor reads the database (once, at start).
"""

from __future__ import annotations

import csv
import logging
import queue
import re
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, TextIO

log = logging.getLogger(__name__)

_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
END_REASONS = ("finished", "inactivity", "failsafe")
# How far back the in-memory mirror of procedure starts reaches (usage_counts(days)).
MIRROR_DAYS = 366

# Indicators as stored and exported; "session_seconds" is a sum, the rest are counts.
SESSIONS = "sessions"
SESSION_ENDED = "sessions_ended"          # step column holds the reason
SESSION_SECONDS = "session_seconds"
PROC_STARTED = "procedure_started"
PROC_FINISHED = "procedure_finished"
PROC_ABANDONED = "procedure_abandoned"    # step column holds where the visitor gave up
HELP_CALLS = "help_calls"
PRINTS = "prints"
PRINT_FAILURES = "print_failures"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counts (
    day TEXT NOT NULL,
    indicator TEXT NOT NULL,
    procedure TEXT NOT NULL DEFAULT '',
    step TEXT NOT NULL DEFAULT '',
    value REAL NOT NULL,
    PRIMARY KEY (day, indicator, procedure, step)
) WITHOUT ROWID
"""
_UPSERT = ("INSERT INTO counts (day, indicator, procedure, step, value) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT (day, indicator, procedure, step) DO UPDATE SET value = value + excluded.value")

Key = tuple[str, str, str, str]  # day, indicator, procedure, step


def _safe_id(value: str, what: str) -> str:
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    # Never log the value itself: it might be something a visitor typed.
    log.warning("stats: a %s that is not an identifier was counted as « invalid »", what)
    return "invalid"


class Stats:
    def __init__(self, db_path: Path, clock: Callable[[], float] = time.time, flush_interval_s: float = 5.0):
        self._db_path = Path(db_path)
        self._clock = clock
        self._flush_interval_s = flush_interval_s
        self._lock = threading.Lock()
        self._today_day = ""
        self._today: Counter[tuple[str, str]] = Counter()   # (indicator, step) -> value, today only
        self._starts: dict[str, Counter[str]] = defaultdict(Counter)  # day -> procedure -> starts
        self._queue: queue.Queue = queue.Queue()
        self._closed = False
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
            self._load_mirror()
        except (sqlite3.Error, OSError) as e:
            # Counting must never stop the kiosk: keep counting in memory and say so.
            log.error("stats: cannot use %s (%s); counting in memory only", self._db_path, e)
            self._db = None
        self._writer = threading.Thread(target=self._write_loop, name="stats-writer", daemon=True)
        self._writer.start()

    # ----- storage ----------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self._db_path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._db_path, timeout=5, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")  # a power cut loses at most the last batch
        db.execute(_SCHEMA)
        return db

    def _load_mirror(self) -> None:
        today = self._day()
        since = (date.fromisoformat(today) - timedelta(days=MIRROR_DAYS)).isoformat()
        rows = self._db.execute("SELECT day, indicator, procedure, step, value FROM counts WHERE day >= ?",
                                (since,)).fetchall()
        self._today_day = today
        for day, indicator, procedure, step, value in rows:
            if day == today:
                self._today[(indicator, step if indicator == SESSION_ENDED else "")] += value
            if indicator == PROC_STARTED:
                self._starts[day][procedure] += int(value)

    def _write_loop(self) -> None:
        while True:
            first = self._queue.get()  # idle: nothing to write, nothing to wake for
            batch: list = []
            waiters: list[threading.Event] = []
            stop = False
            item = first
            # Gather what comes in during one interval into one transaction, but answer a
            # flush or close at once.
            deadline = time.monotonic() + self._flush_interval_s
            while True:
                if item is None:
                    stop = True
                elif isinstance(item, threading.Event):
                    waiters.append(item)
                else:
                    batch.append(item)
                if stop or waiters:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                else:
                    try:
                        item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
            if batch:
                self._write(batch)
            for waiter in waiters:
                waiter.set()
            if stop:
                return

    def _write(self, batch: list[tuple[Key, float]]) -> None:
        if self._db is None:
            return
        merged: Counter[Key] = Counter()
        for key, value in batch:
            merged[key] += value
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(_UPSERT, [(*key, value) for key, value in merged.items()])
        except sqlite3.Error as e:
            log.error("stats: could not write %d counters to %s (%s)", len(merged), self._db_path, e)

    # ----- counting ---------------------------------------------------------------------
    def _day(self) -> str:
        return date.fromtimestamp(self._clock()).isoformat()

    def _add(self, indicator: str, procedure: str = "", step: str = "", value: float = 1) -> None:
        if self._closed:
            log.warning("stats: %s counted after close, dropped", indicator)
            return
        day = self._day()
        with self._lock:
            if day != self._today_day:
                self._today_day = day
                self._today.clear()
            self._today[(indicator, step if indicator == SESSION_ENDED else "")] += value
            if indicator == PROC_STARTED:
                self._starts[day][procedure] += 1
        self._queue.put(((day, indicator, procedure, step), value))

    def session_started(self) -> None:
        self._add(SESSIONS)

    def session_ended(self, duration_s: float, reason: str) -> None:
        if reason not in END_REASONS:
            log.warning("stats: unknown session end reason counted as « other »")
            reason = "other"
        self._add(SESSION_ENDED, step=reason)
        self._add(SESSION_SECONDS, value=max(0.0, float(duration_s)))

    def procedure_started(self, procedure_id: str) -> None:
        self._add(PROC_STARTED, _safe_id(procedure_id, "procedure id"))

    def procedure_finished(self, procedure_id: str) -> None:
        self._add(PROC_FINISHED, _safe_id(procedure_id, "procedure id"))

    def procedure_abandoned(self, procedure_id: str, step_id: str) -> None:
        self._add(PROC_ABANDONED, _safe_id(procedure_id, "procedure id"), _safe_id(step_id, "step id"))

    def help_called(self) -> None:
        self._add(HELP_CALLS)

    def print_done(self, ok: bool) -> None:
        self._add(PRINTS if ok else PRINT_FAILURES)

    # ----- reading ----------------------------------------------------------------------
    def today(self) -> dict[str, float | int]:
        """Today's figures for the conseiller screen (from memory, no disk access)."""
        with self._lock:
            if self._day() != self._today_day:
                self._today_day = self._day()
                self._today.clear()
            t = self._today
            ended = sum(v for (ind, _), v in t.items() if ind == SESSION_ENDED)
            total_s = t[(SESSION_SECONDS, "")]
            return {
                "sessions": int(t[(SESSIONS, "")]),
                "procedures_started": int(t[(PROC_STARTED, "")]),
                "procedures_finished": int(t[(PROC_FINISHED, "")]),
                "procedures_abandoned": int(t[(PROC_ABANDONED, "")]),
                "help_calls": int(t[(HELP_CALLS, "")]),
                "prints": int(t[(PRINTS, "")]),
                "print_failures": int(t[(PRINT_FAILURES, "")]),
                "mean_session_s": round(total_s / ended, 1) if ended else 0.0,
            }

    def usage_counts(self, days: int = 90) -> dict[str, int]:
        """procedure_id -> starts over the last `days` days, today included (from memory)."""
        since = (date.fromisoformat(self._day()) - timedelta(days=days - 1)).isoformat()
        total: Counter[str] = Counter()
        with self._lock:
            for day, counts in self._starts.items():
                if day >= since:
                    total.update(counts)
        return dict(total)

    def export_csv(self, start: date, end: date, out: TextIO, delimiter: str = ",") -> int:
        """Flush, then write start..end inclusive as CSV (see export_csv below)."""
        self.flush()
        if self._db is None:
            csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(CSV_COLUMNS)
            return 0
        return export_csv(self._db_path, start, end, out, delimiter)

    # ----- life cycle -------------------------------------------------------------------
    def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until everything counted so far is on disk (not for the UI thread)."""
        if self._closed or not self._writer.is_alive():
            return
        done = threading.Event()
        self._queue.put(done)
        if not done.wait(timeout_s):
            log.error("stats: flush did not finish within %.0f s", timeout_s)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._writer.join(timeout=10)
        if self._db is not None:
            self._db.close()
            self._db = None


CSV_COLUMNS = ["date", "indicator", "procedure", "step", "value"]


def export_csv(db_path: Path, start: date, end: date, out: TextIO, delimiter: str = ",") -> int:
    """Write one row per day and indicator (procedure and step where they apply), plus
    mean_session_s, for start..end inclusive; returns the number of data rows.

    Opens the database read-only with a connection of its own, so it can run while the
    kiosk counts (and without a Stats writer thread, for the CLI)."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    reader = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True, timeout=5)
    try:
        rows = reader.execute(
            "SELECT day, indicator, procedure, step, value FROM counts WHERE day BETWEEN ? AND ? "
            "ORDER BY day, indicator, procedure, step", (start.isoformat(), end.isoformat())).fetchall()
    finally:
        reader.close()
    by_day: dict[str, list] = defaultdict(list)
    for row in rows:
        by_day[row[0]].append(row)
    written = 0
    for day in sorted(by_day):
        ended = sum(r[4] for r in by_day[day] if r[1] == SESSION_ENDED)
        for _, indicator, procedure, step, value in by_day[day]:
            if indicator == SESSION_SECONDS:
                if ended:
                    writer.writerow([day, "mean_session_s", "", "", f"{value / ended:.1f}"])
                    written += 1
                continue
            writer.writerow([day, indicator, procedure, step, f"{value:g}"])
            written += 1
    return written
