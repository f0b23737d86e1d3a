"""Real small filesystems for disk-fault tests: a read-only one and a full one (tmpfs).

Mounting needs root (the test machines run as root); without it the tests that need a
mount are skipped, not faked."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest


@contextlib.contextmanager
def tmpfs(where: Path, *, size_kib: int = 64, read_only: bool = False, full: bool = False):
    """Mount a tmpfs at where; full=True fills it until a write fails with ENOSPC."""
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kib}k" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        if full:
            fd = os.open(where / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                with contextlib.suppress(OSError):
                    while os.write(fd, b"\0" * 4096):
                        pass
            finally:
                os.close(fd)
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True, timeout=30, check=True)
