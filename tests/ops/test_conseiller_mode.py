"""The conseiller mode's state machine, without a window: states, attempt rules, closing."""

import logging
import queue

import pytest

from kiosk.conseiller import ConseillerMode, ModeState, Notice
from kiosk.pin import PIN_MAX_DIGITS, PinGate, hash_pin

CHEAP = {"n": 16, "r": 8, "p": 1}


@pytest.fixture
def gate(fake_clock):
    return PinGate(hash_pin("1111", **CHEAP), hash_pin("9999", **CHEAP), attempts=3, lockout_s=300, clock=fake_clock)


class Recorder:
    """Each notification: (state, role, digits typed, notice key, confirming)."""

    def __init__(self, mode):
        self.seen = []
        mode.add_listener(self)

    def __call__(self, mode):
        self.seen.append((mode.state, mode.role, mode.digit_count, mode.notice.key, mode.confirming))

    @property
    def states(self):
        return [s[0] for s in self.seen]


@pytest.fixture
def mode(gate, fake_clock):
    """A machine whose PIN check runs at once (spawn and post both call straight through)."""
    return ConseillerMode(gate, clock=fake_clock, spawn=lambda fn: fn(), post=lambda fn: fn())


def type_pin(mode, digits):
    for digit in digits:
        mode.press_digit(digit)
    mode.submit()


def test_starts_locked_and_empty(mode):
    assert mode.state is ModeState.LOCKED and mode.role is None and mode.is_empty()
    mode.press_digit("1")
    assert mode.digit_count == 0  # nothing can be typed while closed


def test_every_change_notifies_from_the_pad_to_the_menu(mode):
    rec = Recorder(mode)
    mode.open()
    type_pin(mode, "1111")
    assert rec.seen == [
        (ModeState.ENTERING, None, 0, "", None),
        (ModeState.ENTERING, None, 1, "", None), (ModeState.ENTERING, None, 2, "", None),
        (ModeState.ENTERING, None, 3, "", None), (ModeState.ENTERING, None, 4, "", None),
        (ModeState.CHECKING, None, 0, "conseiller.pin_checking", None),
        (ModeState.OPEN, "conseiller", 0, "", None),
    ]


def test_erase_and_the_length_limit(mode):
    mode.open()
    for _ in range(PIN_MAX_DIGITS + 3):
        mode.press_digit("7")
    assert mode.digit_count == PIN_MAX_DIGITS
    mode.erase()
    assert mode.digit_count == PIN_MAX_DIGITS - 1
    mode.press_digit("x")
    mode.press_digit("12")
    assert mode.digit_count == PIN_MAX_DIGITS - 1


def test_wrong_pins_say_how_many_tries_remain_then_lock(mode, fake_clock):
    mode.open()
    type_pin(mode, "0000")
    assert (mode.state, mode.notice) == (ModeState.ENTERING, Notice("conseiller.pin_wrong_left",
                                                                    {"count": 2, "attempts": 2}))
    type_pin(mode, "0000")
    assert mode.notice == Notice("conseiller.pin_wrong_left", {"count": 1, "attempts": 1})
    type_pin(mode, "0000")
    assert mode.notice == Notice("conseiller.pin_locked", {"count": 5, "minutes": 5})
    assert not mode.keys_enabled
    mode.press_digit("1")
    mode.submit()
    assert mode.digit_count == 0 and mode.state is ModeState.ENTERING


def test_the_lockout_notice_counts_down_and_ends_while_the_pad_is_open(mode, fake_clock):
    mode.open()
    for _ in range(3):
        type_pin(mode, "0000")
    rec = Recorder(mode)
    fake_clock.advance(50)
    mode.touched()
    mode.tick()
    assert rec.seen == []  # still « 5 minutes »: nothing to redraw
    fake_clock.advance(20)
    mode.touched()
    mode.tick()
    assert mode.notice.params == {"count": 4, "minutes": 4} and len(rec.seen) == 1
    for _ in range(5):
        fake_clock.advance(59)
        mode.touched()
        mode.tick()
    assert mode.keys_enabled and mode.notice == Notice()
    type_pin(mode, "9999")
    assert mode.role == "technician"


def test_a_locked_outcome_shows_the_lockout(gate, fake_clock):
    held = []
    mode = ConseillerMode(gate, clock=fake_clock, spawn=held.append, post=lambda fn: fn())
    mode.open()
    type_pin(mode, "1111")
    for _ in range(3):
        gate.try_pin("0000")  # the gate locked while this check waited for its turn
    held.pop()()
    assert mode.state is ModeState.ENTERING and mode.role is None
    assert mode.notice.key == "conseiller.pin_locked" and not mode.keys_enabled


def test_a_broken_gate_does_not_leave_the_pad_stuck(fake_clock, caplog):
    class Broken:
        def try_pin(self, pin):
            raise RuntimeError("boom " + pin)

        def locked_for_s(self):
            return 0.0

        def attempts_left(self):
            return 4

    mode = ConseillerMode(Broken(), clock=fake_clock, spawn=lambda fn: fn(), post=lambda fn: fn())
    mode.open()
    type_pin(mode, "4321")
    assert mode.state is ModeState.ENTERING and mode.notice.key == "conseiller.pin_wrong"
    assert "4321" not in caplog.text


def test_the_check_runs_in_a_worker_and_its_result_comes_back_through_post(gate, fake_clock):
    results = queue.Queue()
    mode = ConseillerMode(gate, clock=fake_clock, post=results.put)
    mode.open()
    type_pin(mode, "1111")
    assert mode.state is ModeState.CHECKING
    deliver = results.get(timeout=10)
    assert mode.state is ModeState.CHECKING  # nothing changed off the caller's thread
    deliver()
    assert mode.role == "conseiller"


def test_a_result_that_comes_back_after_closing_is_dropped(gate, fake_clock):
    held = []
    mode = ConseillerMode(gate, clock=fake_clock, spawn=held.append, post=lambda fn: fn())
    mode.open()
    type_pin(mode, "1111")
    mode.lock()
    mode.open()
    held.pop()()  # the first check finishes now, for a pad that was closed and reopened
    assert mode.state is ModeState.ENTERING and mode.role is None


def test_only_a_technician_may_leave_and_a_yes_locks(mode):
    mode.open()
    type_pin(mode, "1111")
    mode.ask("leave")
    assert mode.state is ModeState.OPEN and mode.confirming is None
    mode.ask("restart")
    assert (mode.state, mode.confirming) == (ModeState.CONFIRMING, "restart")
    assert mode.answer(False) is None and mode.state is ModeState.OPEN
    mode.ask("restart")
    assert mode.answer(True) == "restart"
    assert mode.state is ModeState.LOCKED and mode.is_empty()
    mode.open()
    type_pin(mode, "9999")
    mode.ask("leave")
    assert mode.answer(True) == "leave"


def test_an_answer_without_a_question_does_nothing(mode):
    assert mode.answer(True) is None
    mode.ask("restart")
    assert mode.state is ModeState.LOCKED


def test_a_forgotten_mode_locks_itself(mode, fake_clock):
    mode.open()
    type_pin(mode, "1111")
    fake_clock.advance(59)
    mode.tick()
    assert mode.signed_in
    mode.touched()
    fake_clock.advance(59)
    mode.tick()
    assert mode.signed_in
    fake_clock.advance(1)
    mode.tick()
    assert mode.state is ModeState.LOCKED and mode.role is None


def test_wipe_drops_the_digits_and_the_role(mode):
    mode.open()
    for digit in "123":
        mode.press_digit(digit)
    assert not mode.is_empty()
    assert bytes(mode._digits[:3]) == b"123"
    mode.wipe()
    assert mode.is_empty() and bytes(mode._digits) == bytes(PIN_MAX_DIGITS)
    type_pin(mode, "1111")
    mode.open()
    type_pin(mode, "1111")
    assert not mode.is_empty()
    mode.wipe()
    assert mode.is_empty() and mode.role is None


def test_submitted_digits_are_zeroed_in_the_buffer(mode):
    mode.open()
    for digit in "9876":
        mode.press_digit(digit)
    mode.submit()
    assert bytes(mode._digits) == bytes(PIN_MAX_DIGITS)


def test_no_digit_reaches_the_log(mode, caplog):
    with caplog.at_level(logging.DEBUG):
        mode.open()
        type_pin(mode, "8642")
        type_pin(mode, "1111")
        mode.ask("restart")
        mode.answer(True)
    assert "8642" not in caplog.text and "1111" not in caplog.text
    assert "conseiller mode closed" in caplog.text


def test_the_machine_imports_no_kivy():
    import subprocess
    import sys
    code = "import sys, kiosk.conseiller; sys.exit('kivy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_listeners_can_be_removed(mode):
    rec = Recorder(mode)
    mode.remove_listener(rec)
    mode.open()
    assert rec.seen == []
