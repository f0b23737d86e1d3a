"""Anonymous daily counters in SQLite: what is counted, what is never kept, the CSV export."""

import csv
import io
import logging
import sqlite3
from datetime import date, datetime

import pytest

from kiosk.stats import Stats


class WallClock:
    def __init__(self, when: datetime):
        self.now = when.timestamp()

    def __call__(self):
        return self.now

    def to(self, when: datetime):
        self.now = when.timestamp()


@pytest.fixture
def clock():
    return WallClock(datetime(2026, 11, 20, 10, 0))


@pytest.fixture
def stats(tmp_path, clock):
    s = Stats(tmp_path / "data" / "stats.sqlite3", clock=clock, flush_interval_s=60)
    yield s
    s.close()


def a_morning(stats):
    stats.session_started()
    stats.procedure_started("ameli-creer-compte")
    stats.procedure_abandoned("ameli-creer-compte", "numero-secu")
    stats.procedure_started("creer-adresse-email")
    stats.procedure_finished("creer-adresse-email")
    stats.print_done(True)
    stats.session_ended(300, "finished")
    stats.session_started()
    stats.help_called()
    stats.print_done(False)
    stats.session_ended(100, "inactivity")


def rows(path):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT day, indicator, procedure, step, value FROM counts ORDER BY 2, 3, 4").fetchall()


def test_today_counts_everything_the_conseiller_screen_shows(stats):
    a_morning(stats)
    assert stats.today() == {"sessions": 2, "procedures_started": 2, "procedures_finished": 1,
                             "procedures_abandoned": 1, "help_calls": 1, "prints": 1, "print_failures": 1,
                             "mean_session_s": 200.0}


def test_flush_writes_aggregates_only_one_row_per_day_and_indicator(stats, tmp_path):
    a_morning(stats)
    stats.flush()
    stored = rows(tmp_path / "data" / "stats.sqlite3")
    assert ("2026-11-20", "sessions", "", "", 2.0) in stored
    assert ("2026-11-20", "procedure_abandoned", "ameli-creer-compte", "numero-secu", 1.0) in stored
    assert ("2026-11-20", "sessions_ended", "", "inactivity", 1.0) in stored
    assert ("2026-11-20", "session_seconds", "", "", 400.0) in stored
    # Two sessions, yet one row per indicator: no per-visitor trail, no time of day.
    keys = [r[:4] for r in stored]
    assert len(keys) == len(set(keys))
    assert {r[0] for r in stored} == {"2026-11-20"}


def test_nothing_is_on_disk_before_a_flush_but_everything_after_close(tmp_path, clock):
    path = tmp_path / "stats.sqlite3"
    s = Stats(path, clock=clock, flush_interval_s=300)
    s.help_called()
    assert rows(path) == []  # the writer waits for its interval: calls never wait for the disk
    s.close()
    assert rows(path) == [("2026-11-20", "help_calls", "", "", 1.0)]


def test_figures_survive_a_restart(tmp_path, clock):
    path = tmp_path / "stats.sqlite3"
    first = Stats(path, clock=clock)
    a_morning(first)
    first.close()
    second = Stats(path, clock=clock)
    try:
        assert second.today()["sessions"] == 2
        assert second.today()["mean_session_s"] == 200.0
        second.session_started()
        assert second.today()["sessions"] == 3
        assert second.usage_counts() == {"ameli-creer-compte": 1, "creer-adresse-email": 1}
    finally:
        second.close()


def test_a_new_day_starts_from_zero(stats, clock):
    a_morning(stats)
    clock.to(datetime(2026, 11, 21, 9, 0))
    assert stats.today()["sessions"] == 0
    stats.session_started()
    assert stats.today()["sessions"] == 1


def test_usage_counts_cover_the_last_days_only(stats, clock):
    clock.to(datetime(2026, 8, 1, 10, 0))
    stats.procedure_started("ameli-creer-compte")
    clock.to(datetime(2026, 11, 1, 10, 0))
    stats.procedure_started("creer-adresse-email")
    clock.to(datetime(2026, 11, 20, 10, 0))
    stats.procedure_started("creer-adresse-email")
    assert stats.usage_counts(days=90) == {"creer-adresse-email": 2}
    assert stats.usage_counts(days=365) == {"creer-adresse-email": 2, "ameli-creer-compte": 1}
    assert stats.usage_counts(days=1) == {"creer-adresse-email": 1}


def test_free_text_never_reaches_the_database_or_the_log(stats, tmp_path, caplog):
    typed = "Dupont 06 12 34 56 78"
    with caplog.at_level(logging.DEBUG):
        stats.procedure_started(typed)
        stats.procedure_abandoned("ameli-creer-compte", typed)
        stats.session_ended(10, typed)
        stats.flush()
    db_bytes = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir())
    assert b"Dupont" not in db_bytes and b"06 12" not in db_bytes
    assert "Dupont" not in caplog.text
    stored = rows(tmp_path / "data" / "stats.sqlite3")
    assert ("2026-11-20", "procedure_started", "invalid", "", 1.0) in stored
    assert ("2026-11-20", "procedure_abandoned", "ameli-creer-compte", "invalid", 1.0) in stored
    assert ("2026-11-20", "sessions_ended", "", "other", 1.0) in stored


def test_export_csv_covers_the_range_with_the_mean_duration(stats, clock):
    a_morning(stats)
    clock.to(datetime(2026, 11, 22, 15, 0))
    stats.session_started()
    stats.session_ended(60, "failsafe")
    clock.to(datetime(2026, 11, 25, 15, 0))
    stats.session_started()  # outside the range below
    out = io.StringIO()
    count = stats.export_csv(date(2026, 11, 20), date(2026, 11, 24), out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(table)
    assert {r["date"] for r in table} == {"2026-11-20", "2026-11-22"}
    assert {"date": "2026-11-20", "indicator": "mean_session_s", "procedure": "", "step": "", "value": "200.0"} in table
    assert {"date": "2026-11-22", "indicator": "sessions_ended", "procedure": "", "step": "failsafe",
            "value": "1"} in table
    assert {"date": "2026-11-20", "indicator": "procedure_abandoned", "procedure": "ameli-creer-compte",
            "step": "numero-secu", "value": "1"} in table
    assert not any(r["indicator"] == "session_seconds" for r in table)


def test_export_with_semicolons_for_french_spreadsheets(stats):
    stats.help_called()
    out = io.StringIO()
    stats.export_csv(date(2026, 11, 20), date(2026, 11, 20), out, delimiter=";")
    assert out.getvalue().splitlines() == ["date;indicator;procedure;step;value", "2026-11-20;help_calls;;;1"]


def test_an_unusable_database_still_counts_in_memory(tmp_path, clock, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with caplog.at_level(logging.ERROR):
        s = Stats(blocker / "stats.sqlite3", clock=clock)  # parent is a file: cannot be created
    try:
        s.session_started()
        assert s.today()["sessions"] == 1
        assert "counting in memory only" in caplog.text
        assert s.export_csv(date(2026, 1, 1), date(2026, 12, 31), io.StringIO()) == 0
    finally:
        s.close()


def test_close_is_idempotent_and_later_counts_are_dropped(tmp_path, clock):
    path = tmp_path / "stats.sqlite3"
    s = Stats(path, clock=clock)
    s.close()
    s.close()
    s.session_started()
    assert rows(path) == []
