"""Process-wide protections the kiosk sets at start, before any visitor types anything.

forbid_core_dumps: a crash must not write the process's memory (which holds what the
visitor typed) to a core file. Two locks, because either alone can be undone:
- setrlimit(RLIMIT_CORE, (0, 0)): no core file of any size, and, the hard limit being 0
  too, the process cannot raise it again. Inherited by every child (espeak-ng, Chromium).
- prctl(PR_SET_DUMPABLE, 0): the kernel writes no core even where the limit is raised
  again or core_pattern pipes to a handler (systemd-coredump), and other processes of the
  same user can no longer ptrace it or read its /proc/PID/mem. Reset by execve, so it
  protects this process only.
The systemd unit also sets LimitCORE=0 for the whole service.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from dataclasses import dataclass

log = logging.getLogger(__name__)

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


@dataclass(frozen=True)
class CoreDumpProtection:
    """What forbid_core_dumps did; `problems` says why a part could not be done."""

    core_limit_zero: bool
    not_dumpable: bool
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.core_limit_zero and self.not_dumpable


def _prctl():
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


def is_dumpable() -> bool | None:
    """The kernel's dumpable flag of this process (None where it cannot be read)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        result = _prctl()(PR_GET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        return None
    return None if result < 0 else bool(result)


def forbid_core_dumps() -> CoreDumpProtection:
    """No core dump of this process, ever (Linux; elsewhere reports that nothing was done)."""
    if not sys.platform.startswith("linux"):
        return CoreDumpProtection(False, False, (f"not Linux ({sys.platform}): nothing done",))
    import resource

    problems = []
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        core_limit_zero = resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
    except (OSError, ValueError) as e:
        core_limit_zero = False
        problems.append(f"setrlimit(RLIMIT_CORE, 0) failed: {e}")
    try:
        if _prctl()(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            problems.append(f"prctl(PR_SET_DUMPABLE, 0) failed: {os.strerror(ctypes.get_errno())}")
    except (OSError, AttributeError) as e:
        problems.append(f"prctl is not available: {e}")
    not_dumpable = is_dumpable() is False
    protection = CoreDumpProtection(core_limit_zero, not_dumpable, tuple(problems))
    for problem in problems:
        log.warning("core dumps: %s", problem)
    return protection
