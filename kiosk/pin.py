"""Conseiller and technician PINs: scrypt hashes, and a gate that locks after wrong tries.

A hash is a self-describing string "scrypt$n$r$p$salt_b64$hash_b64" so the cost can be
raised later without breaking stored hashes. A PIN never reaches a log.

Checking a PIN costs one or two scrypt runs (tens of milliseconds each, see
bench/ops_bench.py): call PinGate.try_pin from a worker thread, not the UI thread.

With a state_path, the count of wrong PINs and the end of a lockout are kept on disk
(written atomically after each change) so that killing and restarting the kiosk does not
give five fresh tries. The end is stored in wall-clock seconds, since a monotonic clock
starts again at boot; a wall clock set back never makes a lockout longer than lockout_s.
A state file that cannot be read or makes no sense locks the gate for lockout_s (fail
closed): an attacker who corrupts it gains nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
import os
import re
import threading
import time
from pathlib import Path
from typing import Callable, Literal

from kiosk.files import RefusedFileError, read_regular_text, write_atomic

log = logging.getLogger(__name__)

# n=2**14, r=8 uses 16 MiB and stays well under a second on a small kiosk CPU, while
# making a brute force of a short PIN from a stolen config file slow.
SCRYPT_N = 2 ** 14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
_MAXMEM = 64 * 1024 * 1024
STATE_MAX_BYTES = 4096  # {"wrong": 3, "locked_until": 1800000000.0} is 45 bytes

Outcome = Literal["conseiller", "technician", "wrong", "locked"]


def pin_format_problem(pin: str) -> str | None:
    """What is wrong with a new PIN (plain words for a technician), or None."""
    if not re.fullmatch(r"[0-9]+", pin):
        return "a PIN is made of digits only (the kiosk shows a number pad)"
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        return f"a PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits"
    return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    if not pin:
        raise ValueError("empty PIN")
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=HASH_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    """(n, r, p, salt, digest) of a stored hash, or None when it is not one we made."""
    parts = stored.strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    # n must be a power of two > 1; refuse costs that would stall or exhaust the kiosk.
    if n < 2 or n & (n - 1) or n > 2 ** 20 or not 1 <= r <= 32 or not 1 <= p <= 16:
        return None
    if len(salt) < 8 or len(digest) < 16 or 128 * r * n > _MAXMEM // 2:
        return None
    return n, r, p, salt, digest


def verify_pin(pin: str, stored: str) -> bool:
    parsed = parse_hash(stored) if stored else None
    if parsed is None or not pin:
        return False
    n, r, p, salt, digest = parsed
    candidate = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=len(digest))
    return hmac.compare_digest(candidate, digest)


class _StateError(ValueError):
    pass


def _parse_state(text: str, attempts: int) -> tuple[int, float | None]:
    """(wrong PINs in a row, wall-clock end of the lockout or None) from a state file's text."""
    def no_constants(name: str) -> float:
        raise _StateError(f"{name} is not a number")
    data = json.loads(text, parse_constant=no_constants)
    if not isinstance(data, dict) or set(data) != {"wrong", "locked_until"}:
        raise _StateError("not a PIN lockout state")
    wrong, until = data["wrong"], data["locked_until"]
    if isinstance(wrong, bool) or not isinstance(wrong, int) or wrong < 0:
        raise _StateError("wrong count is not a whole number >= 0")
    if until is not None and (isinstance(until, bool) or not isinstance(until, (int, float))
                              or not math.isfinite(until)):
        raise _StateError("locked_until is not a time")
    return min(wrong, attempts), until


class PinGate:
    """Who may enter the conseiller mode; five wrong PINs in a row lock it for a while."""

    def __init__(self, conseiller_hash: str, technician_hash: str, attempts: int = 5,
                 lockout_s: float = 300, clock: Callable[[], float] = time.monotonic,
                 state_path: Path | None = None, wall_clock: Callable[[], float] = time.time):
        """state_path: where the lockout is kept across restarts (None: in memory only)."""
        self._hashes: list[tuple[Outcome, str]] = [
            # Technician first: if both PINs were made the same, the wider right wins.
            ("technician", technician_hash), ("conseiller", conseiller_hash)]
        self._attempts = attempts
        self._lockout_s = lockout_s
        self._clock = clock
        self._wrong = 0
        self._locked_until: float | None = None
        self._lock = threading.Lock()  # try_pin runs in worker threads
        self._state_path = Path(state_path) if state_path is not None else None
        self._wall_clock = wall_clock
        for role, stored in self._hashes:
            if stored and parse_hash(stored) is None:
                log.error("the %s PIN hash in the config is not a `kiosk pin hash` string: that PIN is disabled", role)
        if self._state_path is not None:
            self._load_state()

    # ----- the state on disk ---------------------------------------------------------------
    def _load_state(self) -> None:
        path = self._state_path
        try:
            wrong, until = _parse_state(read_regular_text(path, STATE_MAX_BYTES), self._attempts)
        except FileNotFoundError:
            return  # first start: nothing wrong yet
        except (OSError, RefusedFileError, UnicodeDecodeError, ValueError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e).splitlines()[0][:120]
            log.error("%s: PIN lockout state unreadable (%s): conseiller mode locked for %.0f s",
                      path, reason, self._lockout_s)
            self._wrong = self._attempts
            self._locked_until = self._clock() + self._lockout_s
            self._save_state()
            return
        self._wrong = wrong
        if until is not None:
            left_s = min(until - self._wall_clock(), self._lockout_s)
            if left_s > 0:
                self._locked_until = self._clock() + left_s
                log.warning("conseiller mode still locked for %.0f s (wrong PINs before the restart)", left_s)
        if self._locked_until is None and self._wrong >= self._attempts:
            self._wrong = 0  # that lockout is over

    def _save_state(self) -> None:
        """Write the state atomically; a failure is logged and the gate goes on in memory."""
        path = self._state_path
        if path is None:
            return
        until = None
        if self._locked_until is not None:
            until = self._wall_clock() + max(0.0, self._locked_until - self._clock())
        payload = json.dumps({"wrong": self._wrong, "locked_until": until})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, payload.encode("ascii"), tmp_prefix=f".{path.name}-")
        except OSError as e:
            log.warning("%s: cannot save the PIN lockout (%s); it holds until the kiosk restarts",
                        path, e.strerror or type(e).__name__)

    @property
    def enabled(self) -> bool:
        """False when no PIN is configured: the app should not offer the mode at all."""
        return any(stored and parse_hash(stored) for _, stored in self._hashes)

    def locked_for_s(self) -> float:
        with self._lock:
            return self._locked_left_s()

    def _locked_left_s(self) -> float:
        if self._locked_until is None:
            return 0.0
        left = self._locked_until - self._clock()
        if left <= 0:
            self._locked_until = None
            self._wrong = 0
            return 0.0
        return left

    def attempts_left(self) -> int:
        """Wrong PINs still allowed before the lockout (for « Code faux. Encore N essais. »)."""
        with self._lock:
            self._locked_left_s()
            return max(0, self._attempts - self._wrong)

    def try_pin(self, pin: str) -> Outcome:
        with self._lock:
            if self._locked_left_s() > 0:
                return "locked"
            # Check every configured hash, so the time taken does not tell which PIN exists.
            matches = [role for role, stored in self._hashes if verify_pin(pin, stored)]
            if matches:
                if self._wrong:
                    self._wrong = 0
                    self._save_state()
                log.info("conseiller mode opened (%s)", matches[0])
                return matches[0]
            self._wrong += 1
            if self._wrong >= self._attempts:
                self._locked_until = self._clock() + self._lockout_s
                log.warning("%d wrong PINs in a row: conseiller mode locked for %.0f s", self._wrong, self._lockout_s)
            else:
                log.info("wrong PIN (%d of %d before lockout)", self._wrong, self._attempts)
            self._save_state()
            return "wrong"
