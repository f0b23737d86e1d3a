"""The wipe registry: every holder of visitor data registers here, and reset wipes them all.

A holder gives two functions: one that erases what it holds, and one that checks it is
empty. Wiping is only trusted once the check passes; each holder's result is logged by
name (never with the data). If any check fails, the kiosk must not start a new session
until a second wipe passes.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, MutableMapping

from kiosk.files import read_regular_text, write_atomic

log = logging.getLogger(__name__)
WIPE_STATUS_MAX_BYTES = 64 * 1024  # a few holder names and booleans


@dataclass(frozen=True)
class Holder:
    name: str
    wipe: Callable[[], None]
    is_empty: Callable[[], bool]


@dataclass(frozen=True)
class WipeReport:
    results: dict[str, bool]

    @property
    def clean(self) -> bool:
        return all(self.results.values())

    def failed(self) -> list[str]:
        return [name for name, ok in self.results.items() if not ok]


class WipeRegistry:
    def __init__(self) -> None:
        self._holders: dict[str, Holder] = {}
        self.last_report: WipeReport | None = None

    def register(self, name: str, wipe: Callable[[], None], is_empty: Callable[[], bool]) -> None:
        self._holders[name] = Holder(name, wipe, is_empty)

    def unregister(self, name: str) -> None:
        self._holders.pop(name, None)

    def names(self) -> list[str]:
        return list(self._holders)

    def _wipe_once(self) -> WipeReport:
        results = {}
        for holder in list(self._holders.values()):
            try:
                holder.wipe()
            except Exception as e:  # one broken holder must not stop the others
                log.error("wipe %s raised %s", holder.name, type(e).__name__)
            try:
                results[holder.name] = bool(holder.is_empty())
            except Exception as e:
                log.error("wipe check %s raised %s", holder.name, type(e).__name__)
                results[holder.name] = False
        return WipeReport(results)

    def wipe_all(self) -> WipeReport:
        """Wipe every holder and verify; retry once what failed. The report says what is left."""
        report = self._wipe_once()
        if not report.clean:
            log.warning("wipe incomplete (%s), wiping again", ", ".join(report.failed()))
            report = self._wipe_once()
        for name, ok in report.results.items():
            if ok:
                log.info("wipe %s: empty", name)
            else:
                log.error("wipe %s: NOT EMPTY", name)
        if not report.clean:
            log.error("wipe failed for %s: no new session until a wipe passes", ", ".join(report.failed()))
        self.last_report = report
        return report


class SessionVault:
    """Files a session must write, encrypted with AES-GCM under a key made for that session.

    The key lives only in memory: after a reset (the key is dropped and the files deleted)
    or a crash (the key died with the process), nothing on disk can be read. At start,
    whatever a crashed session left is deleted, never resumed.
    """

    SUFFIX = ".enc"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._key: bytes | None = None

    def clean_leftovers(self) -> int:
        """Delete what a previous process left (call once, at start). Returns the count."""
        count = 0
        if self.folder.exists():
            for path in self.folder.iterdir():
                if path.is_file() or path.is_symlink():
                    path.unlink(missing_ok=True)
                    count += 1
        if count:
            log.warning("deleted %d leftover file(s) of an interrupted session", count)
        return count

    def _aead(self):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if self._key is None:
            self._key = AESGCM.generate_key(bit_length=256)
        return AESGCM(self._key)

    def _path(self, name: str) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise ValueError("a vault file name is a plain name")
        return self.folder / (name + self.SUFFIX)

    def write(self, name: str, data: bytes) -> Path:
        """Encrypt data into the folder, atomically (temp file + rename)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        nonce = os.urandom(12)
        blob = nonce + self._aead().encrypt(nonce, data, name.encode())
        path = self._path(name)
        write_atomic(path, blob)
        return path

    def read(self, name: str) -> bytes:
        blob = self._path(name).read_bytes()
        return self._aead().decrypt(blob[:12], blob[12:], name.encode())

    def wipe(self) -> None:
        self._key = None
        self.clean_leftovers()

    def is_empty(self) -> bool:
        return self._key is None and not (self.folder.exists() and any(self.folder.iterdir()))


def write_wipe_status(path: Path, report: WipeReport, when: float) -> None:
    """Record the last wipe's result per holder (names and booleans only) for `kiosk doctor`.

    Atomic (temp file + rename). Never raises: it runs in a thread after each reset, and a
    full or read-only disk must cost one log line, not a traceback or a 0-byte temp file."""
    payload = json.dumps({"at": when, "clean": report.clean, "holders": report.results})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, payload.encode("utf-8"), tmp_prefix=".wipe-")
    except OSError as e:
        log.warning("cannot write the wipe status %s (%s): `kiosk doctor` will show an older one",
                    path, e.strerror or type(e).__name__)


def read_wipe_status(path: Path) -> dict | None:
    # Bounded and regular files only: a FIFO or /dev/zero put there must not hang doctor.
    try:
        return json.loads(read_regular_text(path, WIPE_STATUS_MAX_BYTES))
    except (OSError, ValueError):
        return None


# Freed memory is overwritten, so that what a visitor typed does not outlive the objects
# that held it (a scan of the running kiosk found whole copies in freed memory after a
# verified wipe). Read by the interpreter and glibc when the process starts, hence the
# systemd unit's Environment=, scripts/run.sh, and reexec_with_wiping_allocator():
# - PYTHONMALLOC=malloc: Python objects on glibc's malloc, not in pymalloc's arenas,
#   which never overwrite a freed object;
# - MALLOC_PERTURB_: glibc fills the chunks it frees with this byte (and every chunk it
#   hands out with its complement), but not all of them (glibc 2.36, docs/FIELD_NOTES.md):
# - GLIBC_TUNABLES tcache_count=0: free() puts chunks up to 1032 bytes in a per-thread
#   cache and returns before perturbing them (each str of 24 to 64 characters tried stayed
#   whole); mxfast=0: chunks of fast bins (up to 128 bytes) keep their last 8 bytes, all
#   the characters of a 6- or 7-character str. Without both, chunks go to the bins that
#   are perturbed and whose neighbour's size field covers those 8 bytes.
# Large blocks (mmap'd, above 128 KiB) go back to the kernel on free: not in memory either.
WIPING_ALLOCATOR = {"PYTHONMALLOC": "malloc", "MALLOC_PERTURB_": "165",
                    "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0"}
REEXEC_MARK = "PAS_A_PAS_REEXECUTED"


def wiping_allocator_missing(environ: MutableMapping[str, str] = os.environ) -> dict[str, str]:
    """The variables to set for the wiping allocator; {} if they are."""
    return {k: v for k, v in WIPING_ALLOCATOR.items() if environ.get(k) != v}


def reexec_with_wiping_allocator(environ: MutableMapping[str, str] = os.environ, execve=os.execve) -> bool:
    """Start this same command again with the wiping allocator, if it is not on (Linux).

    Call it first thing, before anything visitor-related exists. Returns True when the
    allocator is on (execve does not return otherwise); False, with a warning, where it
    cannot be put on (not Linux, the re-exec failed or did not take)."""
    if not sys.platform.startswith("linux"):
        return False
    missing = wiping_allocator_missing(environ)
    if not missing:
        return True
    if environ.get(REEXEC_MARK):
        log.warning("freed memory is NOT overwritten: %s still unset after a re-exec", ", ".join(sorted(missing)))
        return False
    env = {**environ, **missing, REEXEC_MARK: "1"}
    log.debug("starting again with a wiping allocator (%s)", ", ".join(sorted(missing)))
    try:
        execve(sys.executable, sys.orig_argv, env)
    except OSError as e:
        log.warning("freed memory is NOT overwritten: cannot start again (%s)", e.strerror or type(e).__name__)
    return False
