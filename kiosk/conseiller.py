"""The conseiller mode's state and rules, without Kivy: who is signed in, what is typed,
what the pad says, and when the mode closes itself.

A small state machine (ModeState): LOCKED (closed, nobody signed in, nothing typed) →
ENTERING (the PIN pad is shown) → CHECKING (a worker thread runs the PIN check) → OPEN as
conseiller or technician ⇄ CONFIRMING an action (restart, leave to the desktop) → LOCKED.
Every change notifies the listeners; screens/conseiller.py only draws the machine and
forwards taps to it.

The typed digits sit in a fixed-size buffer (never reallocated, so no stray copies of a
prefix) that is zeroed when they are submitted, erased or the mode locks; they never reach
a log. The one str handed to the gate cannot be zeroed (Python strings are immutable): it
is dropped as soon as the check returns. The PIN check (scrypt, tens of ms) runs in
`spawn` (a thread by default); its result comes back through `post`, which the app makes
hand the call to the UI thread (Kivy's Clock) and tests make call at once.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Callable, Iterable, Mapping, Protocol

from kiosk.content.validate import checked_date, due_for_review, pack_date
from kiosk.pin import PIN_MAX_DIGITS

log = logging.getLogger(__name__)

# From this many attempts left, a wrong PIN also says how many remain.
WARN_AT_ATTEMPTS_LEFT = 2
ACTIONS = ("restart", "leave")
ROLES = ("conseiller", "technician")


class ModeState(str, Enum):
    LOCKED = "locked"
    ENTERING = "entering"
    CHECKING = "checking"
    OPEN = "open"
    CONFIRMING = "confirming"


class Gate(Protocol):
    """What the machine needs of kiosk.pin.PinGate."""

    def try_pin(self, pin: str) -> str: ...

    def locked_for_s(self) -> float: ...

    def attempts_left(self) -> int: ...


@dataclass(frozen=True)
class Notice:
    """What the pad tells the conseiller: a translation key and its parameters ("" = nothing)."""

    key: str = ""
    params: Mapping[str, object] = field(default_factory=dict)
    error: bool = True


@dataclass(frozen=True)
class CallLine:
    """One waiting help call as the conseiller sees it (never anything the visitor typed)."""

    call_id: str
    number: int
    procedure: str      # procedure title, or "" on the home screen
    step: str           # step number or title, or ""
    waiting_s: float
    acknowledged: bool = False


@dataclass(frozen=True)
class ContentReview:
    """How old the content pack's facts are, for the conseiller menu (issue 17)."""

    total: int = 0
    pack_date: date | None = None                       # the newest checked_on
    due: tuple[tuple[str, date | None], ...] = ()       # (procedure title, checked on), oldest first


def content_review(procedures: Iterable, today: date) -> ContentReview:
    """The pack's date and the procedures checked more than 12 months ago (or never)."""
    procedures = list(procedures)
    newest = pack_date(procedures)
    return ContentReview(total=len(procedures), pack_date=date.fromisoformat(newest) if newest else None,
                         due=tuple((p.title, checked_date(p.checked_on)) for p in due_for_review(procedures, today)))


@dataclass
class ConseillerSources:
    """What the menu shows and does; the app fills it from its services.

    Callables that may block (test_print) are called from a worker thread and must call
    `done` (from any thread) when finished; the others must be quick."""

    pending_calls: Callable[[], list[CallLine]] = list
    # True when no help channel is configured: a visitor's « Appeler un conseiller » reaches
    # nobody, and the conseiller at the kiosk must know it (issue 12).
    help_reaches_nobody: Callable[[], bool] = lambda: False
    acknowledge: Callable[[str], None] = lambda call_id: None
    printer_status: Callable[[], tuple[str, str]] = lambda: ("", "")  # (level, text for the conseiller)
    test_print: Callable[[Callable[[bool], None]], None] | None = None
    today: Callable[[], dict] = dict                                   # kiosk.stats.Stats.today
    content_review: Callable[[], ContentReview] = ContentReview
    restart: Callable[[], None] = lambda: None
    leave_to_desktop: Callable[[], None] = lambda: None
    on_close: Callable[[], None] = lambda: None


def _call_now(fn: Callable[[], None]) -> None:
    fn()


def _spawn_thread(fn: Callable[[], None]) -> None:
    threading.Thread(target=fn, name="pin-check", daemon=True).start()


Listener = Callable[["ConseillerMode"], None]


class ConseillerMode:
    """The conseiller mode's state machine. Call it from one thread (the UI thread)."""

    def __init__(self, gate: Gate, *, clock: Callable[[], float] = time.monotonic,
                 post: Callable[[Callable[[], None]], None] = _call_now,
                 spawn: Callable[[Callable[[], None]], None] = _spawn_thread,
                 idle_close_s: float = 60):
        self.gate = gate
        self.idle_close_s = idle_close_s
        self._clock, self._post, self._spawn = clock, post, spawn
        self._listeners: list[Listener] = []
        self._state = ModeState.LOCKED
        self._role: str | None = None
        self._confirming: str | None = None
        self._notice = Notice()
        self._shown_notice = Notice()
        self._digits = bytearray(PIN_MAX_DIGITS)  # fixed size: never reallocated, so never copied
        self._digit_count = 0
        self._check_token = 0
        self._last_touch_s = clock()

    # ----- what the screen shows ---------------------------------------------------------
    @property
    def state(self) -> ModeState:
        return self._state

    @property
    def role(self) -> str | None:
        """"conseiller" or "technician" while signed in, else None."""
        return self._role

    @property
    def confirming(self) -> str | None:
        """The action awaiting « Oui » or « Non » ("restart" or "leave"), else None."""
        return self._confirming

    @property
    def signed_in(self) -> bool:
        return self._state in (ModeState.OPEN, ModeState.CONFIRMING)

    @property
    def digit_count(self) -> int:
        return self._digit_count

    def lockout_left_s(self) -> float:
        return self.gate.locked_for_s()

    @property
    def keys_enabled(self) -> bool:
        return self._state is ModeState.ENTERING and self.lockout_left_s() <= 0

    @property
    def notice(self) -> Notice:
        if self._state is ModeState.CHECKING:
            return Notice("conseiller.pin_checking", error=False)
        if self._state is ModeState.ENTERING:
            locked_s = self.lockout_left_s()
            if locked_s > 0:
                minutes = math.ceil(locked_s / 60)
                return Notice("conseiller.pin_locked", {"count": minutes, "minutes": minutes})
            return self._notice
        return Notice()

    # ----- listeners ---------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _changed(self) -> None:
        if self._state is not ModeState.CHECKING:  # the gate is busy while checking
            self._shown_notice = self.notice
        for listener in list(self._listeners):
            listener(self)

    # ----- opening, closing, time --------------------------------------------------------
    def open(self) -> None:
        """Show the PIN pad (from LOCKED only)."""
        if self._state is not ModeState.LOCKED:
            return
        self._clear_digits()
        self._notice = Notice()
        self._last_touch_s = self._clock()
        self._state = ModeState.ENTERING
        log.info("conseiller PIN pad opened")
        self._changed()

    def lock(self) -> None:
        """Close the mode: nobody signed in, nothing typed, nothing to confirm."""
        was = self._state
        self._clear_digits()
        self._role = None
        self._confirming = None
        self._notice = Notice()
        self._check_token += 1  # a check still running comes back to nobody
        self._state = ModeState.LOCKED
        if was is not ModeState.LOCKED:
            log.info("conseiller mode closed")
            self._changed()

    def touched(self) -> None:
        self._last_touch_s = self._clock()

    def tick(self) -> None:
        """Call about once a second: closes a forgotten mode, refreshes the lockout notice."""
        if self._state is ModeState.LOCKED:
            return
        if self._clock() - self._last_touch_s >= self.idle_close_s:
            log.info("conseiller mode closed after %.0f s without a touch", self.idle_close_s)
            self.lock()
            return
        if self._state is ModeState.ENTERING and self.notice != self._shown_notice:
            self._changed()  # the lockout's minutes went down, or it is over

    # ----- the PIN pad -------------------------------------------------------------------
    def press_digit(self, digit: str) -> None:
        if not self.keys_enabled or self._digit_count >= PIN_MAX_DIGITS:
            return
        if len(digit) != 1 or digit not in "0123456789":
            return
        self._digits[self._digit_count] = ord(digit)
        self._digit_count += 1
        self._changed()

    def erase(self) -> None:
        if self._digit_count == 0 or self._state is not ModeState.ENTERING:
            return
        self._digit_count -= 1
        self._digits[self._digit_count] = 0
        self._changed()

    def _clear_digits(self) -> None:
        self._digits[:] = bytes(PIN_MAX_DIGITS)
        self._digit_count = 0

    def submit(self) -> None:
        """Check the typed PIN in a worker; the digits are dropped at once."""
        if not self.keys_enabled or self._digit_count == 0:
            return
        pin = self._digits[:self._digit_count].decode("ascii")
        self._clear_digits()
        self._check_token += 1
        token = self._check_token
        self._state = ModeState.CHECKING
        self._changed()
        gate, post = self.gate, self._post

        def check() -> None:  # worker thread: scrypt must not freeze a frame
            try:
                outcome = gate.try_pin(pin)
            except Exception as e:  # a broken gate must not leave the pad stuck
                log.error("PIN check failed: %s", type(e).__name__)
                outcome = "wrong"
            post(lambda: self._checked(token, outcome))

        self._spawn(check)

    def _checked(self, token: int, outcome: str) -> None:
        if token != self._check_token or self._state is not ModeState.CHECKING:
            return  # closed (or reopened) meanwhile
        if outcome in ROLES:
            self._role = outcome
            self._state = ModeState.OPEN
        else:
            self._state = ModeState.ENTERING
            self._notice = self._wrong_pin_notice() if outcome == "wrong" else Notice()
        self._changed()

    def _wrong_pin_notice(self) -> Notice:
        left = self.gate.attempts_left()
        if self.lockout_left_s() > 0:
            return Notice()  # the lockout notice says it all
        if left <= WARN_AT_ATTEMPTS_LEFT:
            return Notice("conseiller.pin_wrong_left", {"count": left, "attempts": left})
        return Notice("conseiller.pin_wrong")

    # ----- the menu ----------------------------------------------------------------------
    def ask(self, action: str) -> None:
        """Ask « are you sure? » before an action; only a technician may leave."""
        if not self.signed_in or action not in ACTIONS:
            return
        if action == "leave" and self._role != "technician":
            return
        self._confirming = action
        self._state = ModeState.CONFIRMING
        self._changed()

    def answer(self, yes: bool) -> str | None:
        """The answer to the question; returns the action to carry out (the mode is then
        locked), or None."""
        if self._state is not ModeState.CONFIRMING:
            return None
        action, self._confirming = self._confirming, None
        if not yes:
            self._state = ModeState.OPEN
            self._changed()
            return None
        log.info("conseiller mode: %s (%s)", action, self._role)
        self.lock()
        return action

    # ----- wipe holder -------------------------------------------------------------------
    def wipe(self) -> None:
        self.lock()

    def is_empty(self) -> bool:
        return (self._state is ModeState.LOCKED and self._role is None and self._digit_count == 0
                and not any(self._digits))
