"""PIN hashes and the lockout gate of the conseiller mode."""

import logging

import pytest

from kiosk import pin
from kiosk.pin import PinGate, hash_pin, parse_hash, pin_format_problem, verify_pin

# A cheap scrypt cost keeps the lockout tests fast; the format is the same.
CHEAP = {"n": 2 ** 4, "r": 8, "p": 1}


def test_hash_is_self_describing_and_salted():
    first, second = hash_pin("2468"), hash_pin("2468")
    assert first != second  # random salt
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", pin.SCRYPT_N, pin.SCRYPT_R, pin.SCRYPT_P)
    assert parse_hash(first)[3] != parse_hash(second)[3]
    assert "2468" not in first


def test_verify_accepts_the_pin_and_refuses_others():
    stored = hash_pin("2468", **CHEAP)
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not verify_pin("", stored)


def test_the_cost_written_in_the_hash_is_the_one_used():
    # A hash made with other parameters still verifies: the string carries them.
    stored = hash_pin("1357", n=2 ** 5, r=4, p=2)
    assert stored.startswith("scrypt$32$4$2$")
    assert verify_pin("1357", stored)


@pytest.mark.parametrize("stored", ["", "off", "scrypt$16$8$1$abc",
                                    "bcrypt$16$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==",
                                    "scrypt$15$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==",  # n not a power of two
                                    "scrypt$1048576$32$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==",  # 4 GiB of memory
                                    "scrypt$16$8$1$not base64!$AAAA"])
def test_anything_that_is_not_our_hash_never_verifies(stored):
    assert parse_hash(stored) is None
    assert not verify_pin("1234", stored)


@pytest.mark.parametrize("candidate, ok", [("1234", True), ("123456789012", True), ("123", False),
                                           ("1234567890123", False), ("12a4", False), ("12 34", False), ("", False)])
def test_pin_format(candidate, ok):
    assert (pin_format_problem(candidate) is None) is ok


@pytest.fixture
def gate(fake_clock):
    return PinGate(hash_pin("1111", **CHEAP), hash_pin("9999", **CHEAP), attempts=5, lockout_s=300, clock=fake_clock)


def test_each_pin_opens_its_own_role(gate):
    assert gate.enabled
    assert gate.try_pin("1111") == "conseiller"
    assert gate.try_pin("9999") == "technician"
    assert gate.try_pin("0000") == "wrong"


def test_five_wrong_pins_lock_for_five_minutes_even_for_the_right_pin(gate, fake_clock):
    for _ in range(4):
        assert gate.try_pin("0000") == "wrong"
    assert gate.locked_for_s() == 0
    assert gate.try_pin("0000") == "wrong"
    assert gate.locked_for_s() == pytest.approx(300)
    assert gate.try_pin("1111") == "locked"
    fake_clock.advance(299)
    assert gate.try_pin("9999") == "locked"
    assert gate.locked_for_s() == pytest.approx(1)
    fake_clock.advance(1)
    assert gate.locked_for_s() == 0
    assert gate.try_pin("1111") == "conseiller"


def test_after_a_lockout_the_count_starts_again(gate, fake_clock):
    for _ in range(5):
        gate.try_pin("0000")
    fake_clock.advance(300)
    for _ in range(4):
        assert gate.try_pin("0000") == "wrong"
    assert gate.locked_for_s() == 0


def test_a_right_pin_resets_the_count_of_wrong_ones(gate):
    for _ in range(4):
        gate.try_pin("0000")
    assert gate.try_pin("1111") == "conseiller"
    for _ in range(4):
        assert gate.try_pin("0000") == "wrong"
    assert gate.locked_for_s() == 0


def test_empty_or_broken_hashes_disable_the_mode(fake_clock, caplog):
    assert not PinGate("", "", clock=fake_clock).enabled
    with caplog.at_level(logging.ERROR):
        gate = PinGate("not-a-hash", "", clock=fake_clock)
    assert not gate.enabled
    assert "conseiller PIN hash" in caplog.text
    assert gate.try_pin("") == "wrong"


def test_technician_only_gate_still_works(fake_clock):
    gate = PinGate("", hash_pin("4242", **CHEAP), clock=fake_clock)
    assert gate.enabled
    assert gate.try_pin("4242") == "technician"


def test_no_pin_reaches_the_log(gate, caplog):
    with caplog.at_level(logging.DEBUG):
        for attempt in ("8642", "8642", "8642", "8642", "8642", "1111"):
            gate.try_pin(attempt)
    assert "locked" in caplog.text
    assert "8642" not in caplog.text and "1111" not in caplog.text


def test_attempts_left_counts_down_and_comes_back_after_the_lockout(gate, fake_clock):
    assert gate.attempts_left() == 5
    gate.try_pin("0000")
    gate.try_pin("0000")
    assert gate.attempts_left() == 3
    for _ in range(3):
        gate.try_pin("0000")
    assert gate.attempts_left() == 0
    fake_clock.advance(300)
    assert gate.attempts_left() == 5


# ----- the lockout survives a restart (a new PinGate on the same state file) -------------------
@pytest.fixture
def wall_clock():
    from tests.conftest import FakeClock
    return FakeClock(start=1_800_000_000.0)


@pytest.fixture
def make_gate(fake_clock, wall_clock, tmp_path):
    """A gate as the app makes it at each start, on one state file in the data folder."""
    state = tmp_path / "data" / "pin-lockout.json"

    def make(path=state):
        return PinGate(hash_pin("1111", **CHEAP), hash_pin("9999", **CHEAP), attempts=5, lockout_s=300,
                       clock=fake_clock, state_path=path, wall_clock=wall_clock)
    make.state = state
    return make


def test_a_restart_does_not_lift_the_lockout(make_gate, fake_clock):
    gate = make_gate()
    for _ in range(5):
        gate.try_pin("0000")
    assert gate.locked_for_s() == pytest.approx(300)
    restarted = make_gate()
    assert restarted.try_pin("1111") == "locked"
    assert restarted.locked_for_s() == pytest.approx(300)


def test_wrong_pins_before_a_restart_still_count(make_gate):
    gate = make_gate()
    for _ in range(4):
        gate.try_pin("0000")
    restarted = make_gate()
    assert restarted.attempts_left() == 1
    assert restarted.try_pin("0000") == "wrong"
    assert restarted.try_pin("1111") == "locked"


def test_the_lockout_ends_on_time_across_a_restart(make_gate, fake_clock, wall_clock):
    gate = make_gate()
    for _ in range(5):
        gate.try_pin("0000")
    wall_clock.advance(200)
    fake_clock.advance(200)
    restarted = make_gate()
    assert restarted.locked_for_s() == pytest.approx(100)
    wall_clock.advance(100)
    fake_clock.advance(100)
    assert restarted.try_pin("1111") == "conseiller"
    assert make_gate().attempts_left() == 5


def test_a_wall_clock_set_back_does_not_lengthen_the_lockout(make_gate, wall_clock):
    gate = make_gate()
    for _ in range(5):
        gate.try_pin("0000")
    wall_clock.advance(-86400)
    assert make_gate().locked_for_s() == pytest.approx(300)


def test_a_right_pin_resets_the_count_on_disk_too(make_gate):
    gate = make_gate()
    for _ in range(4):
        gate.try_pin("0000")
    assert gate.try_pin("1111") == "conseiller"
    assert make_gate().attempts_left() == 5


def test_the_state_file_is_written_atomically_and_holds_no_pin(make_gate):
    import json
    gate = make_gate()
    for attempt in ("2468", "2468", "1111"):
        gate.try_pin(attempt)
    gate.try_pin("8642")
    text = make_gate.state.read_text()
    assert json.loads(text) == {"wrong": 1, "locked_until": None}
    assert "8642" not in text and "2468" not in text
    assert sorted(p.name for p in make_gate.state.parent.iterdir()) == ["pin-lockout.json"]  # no temp file left
    assert (make_gate.state.stat().st_mode & 0o777) == 0o600


def _fifo(path):
    import os
    os.mkfifo(path)


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(b"\x00\xff garbage"),
    lambda p: p.write_text("{"),
    lambda p: p.write_text('{"wrong": "three", "locked_until": null}'),
    lambda p: p.write_text('{"wrong": 0, "locked_until": NaN}'),
    lambda p: p.write_text('{"wrong": -4, "locked_until": null}'),
    lambda p: p.write_text('[]'),
    lambda p: p.write_text(" " * 100_000),
    lambda p: p.mkdir(),
    lambda p: p.symlink_to("/dev/zero"),
    _fifo,
], ids=["binary", "truncated", "wrong-type", "nan", "negative", "not-an-object", "huge", "folder", "dev-zero",
        "fifo"])
def test_a_damaged_state_file_fails_closed(make_gate, fake_clock, damage, caplog):
    make_gate.state.parent.mkdir(parents=True)
    damage(make_gate.state)
    gate = make_gate()
    assert gate.try_pin("1111") == "locked"
    assert gate.locked_for_s() == pytest.approx(300)
    assert "pin-lockout.json" in caplog.text and "locked" in caplog.text
    fake_clock.advance(300)
    assert gate.try_pin("1111") == "conseiller"


@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_a_state_that_cannot_be_written_is_logged_and_the_gate_still_counts(tmp_path, make_gate, caplog, disk):
    from tests.core.mounts import tmpfs
    with tmpfs(tmp_path / "disk", read_only=disk == "read-only", full=disk == "full") as folder:
        gate = make_gate(folder / "pin-lockout.json")
        for _ in range(5):
            assert gate.try_pin("0000") == "wrong"
        assert gate.try_pin("1111") == "locked"
        assert caplog.text.count("cannot save the PIN lockout") == 5
        assert sorted(p.name for p in folder.iterdir()) == ([] if disk == "read-only" else ["filler"])


def test_a_killed_kiosk_restarts_locked(tmp_path):
    """The finding: kill -9 after five wrong PINs, and the restarted kiosk took the PIN at once."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path
    stored = hash_pin("1111", **CHEAP)
    state = tmp_path / "pin-lockout.json"
    code = ("import os, signal, sys\nfrom kiosk.pin import PinGate\n"
            f"gate = PinGate({stored!r}, '', state_path={str(state)!r})\n"
            "for _ in range(5): gate.try_pin('0000')\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", code], timeout=60, capture_output=True, text=True, env=env)
    assert done.returncode == -signal.SIGKILL, done.stderr
    restarted = PinGate(stored, "", state_path=state)
    assert restarted.try_pin("1111") == "locked"
    assert 250 < restarted.locked_for_s() <= 300
