"""The technicians' subcommands: exit codes, one-line errors, files written atomically."""

import io
import sys
from datetime import datetime

import pytest

from kiosk.cli import main
from kiosk.pin import verify_pin
from kiosk.stats import Stats


def write_config(tmp_path, extra=""):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{data}"\n{extra}', encoding="utf-8")
    return path


def test_doctor_exits_1_on_a_fail_and_prints_one_line_per_check(tmp_path, capsys):
    empty = tmp_path / "no-content"
    empty.mkdir()
    config = write_config(tmp_path, f'content_dir = "{empty}"\n')
    assert main(["doctor", "--config", str(config)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("FAIL content: ") for line in lines)
    assert all(line.split()[0] in ("OK", "WARN", "FAIL") for line in lines[:-1])
    assert lines[-1].endswith("FAIL") and " 0 FAIL" not in lines[-1]


def test_doctor_with_a_bad_config_exits_2_in_one_line(tmp_path, capsys):
    config = write_config(tmp_path, "[conseiller]\nlockout_attempts = 0\n")
    assert main(["doctor", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lockout_attempts" in err


def test_pin_hash_reads_the_pin_and_prints_a_hash_that_verifies(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("24681357\n"))
    assert main(["pin", "hash"]) == 0
    out, err = capsys.readouterr()
    stored = out.strip()
    assert verify_pin("24681357", stored) and not verify_pin("24681358", stored)
    assert "24681357" not in out + err and "pin_hash" in err


def test_pin_hash_refuses_a_pin_the_number_pad_cannot_type(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("abcd\n"))
    assert main(["pin", "hash"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "digits" in err


def test_a_hash_from_the_cli_loads_from_the_config(tmp_path, monkeypatch, capsys):
    from kiosk import config
    monkeypatch.setattr(sys, "stdin", io.StringIO("9753\n"))
    main(["pin", "hash", "--technician"])
    stored = capsys.readouterr().out.strip()
    cfg = config.load(write_config(tmp_path, f'[conseiller]\ntechnician_pin_hash = "{stored}"\n'))
    assert verify_pin("9753", cfg.conseiller.technician_pin_hash)


@pytest.fixture
def figures(tmp_path):
    config = write_config(tmp_path)
    when = datetime(2026, 11, 20, 10).timestamp()
    stats = Stats(tmp_path / "data" / "stats.sqlite3", clock=lambda: when)
    stats.session_started()
    stats.procedure_started("creer-adresse-email")
    stats.close()
    return config


def test_stats_export_writes_the_csv_file(tmp_path, figures, capsys):
    out = tmp_path / "report.csv"
    assert main(["stats", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out),
                 "--sep", ";", "--config", str(figures)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        "date;indicator;procedure;step;value",
        "2026-11-20;procedure_started;creer-adresse-email;;1",
        "2026-11-20;sessions;;;1"]
    assert "2 rows" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_stats_export_to_stdout_outside_the_range_has_the_header_only(figures, capsys):
    assert main(["stats", "export", "--from", "2026-12-01", "--to", "2026-12-31", "--config", str(figures)]) == 0
    assert capsys.readouterr().out == "date,indicator,procedure,step,value\n"


@pytest.mark.parametrize("args, words", [
    (["--from", "2026-11-31", "--to", "2026-12-01"], "--from 2026-11-31: not a date"),
    (["--from", "2026-12-01", "--to", "2026-11-01"], "is after"),
    (["--from", "2026-11-01", "--to", "2026-11-02", "--sep", "::"], "one character"),
    (["--from", "2026-11-01", "--to", "2026-11-02", "--out", "/nonexistent-dir/r.csv"], "does not exist"),
])
def test_stats_export_bad_usage_is_one_line_and_exit_2(figures, capsys, args, words):
    assert main(["stats", "export", *args, "--config", str(figures)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err


def test_a_file_that_cannot_be_written_is_one_line_and_exit_2(figures, capsys):
    """One error policy: an OSError naming a file is one plain line, not a traceback."""
    assert main(["stats", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", "/proc/report.csv",
                 "--config", str(figures)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kiosk: /proc/") and "No such file" in err


def test_every_subcommand_is_listed_and_python_m_kiosk_runs(capsys):
    import subprocess
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "kiosk", "--help"], cwd=repo, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    for command in ("run", "config", "content", "doctor", "call-test", "print-test", "pin", "stats"):
        assert f"    {command} " in done.stdout
