"""Reading a file the kiosk did not write itself (config, content, state) without letting it
hang or exhaust the kiosk, and writing the kiosk's own state files atomically.

`Path.read_text` on a FIFO blocks until a writer comes (forever), and on /dev/zero, or a
procedure that is a symlink to it, reads until memory runs out. read_regular_file opens
with O_NONBLOCK (so a FIFO or a device never blocks the open), checks with fstat on the
opened descriptor that it is a regular file (so a symlink swapped after a check changes
nothing), and reads at most max_bytes.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class RefusedFileError(ValueError):
    """The file is not a regular file, or is larger than allowed; str() is one plain line."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular_file(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at path (symlinks followed), at most max_bytes.

    Raises RefusedFileError for anything else or anything larger, OSError when it cannot be
    opened or read (FileNotFoundError when missing)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFileError(f"is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise RefusedFileError(f"is {info.st_size} bytes; at most {max_bytes} are allowed")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 16, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew while we read
                raise RefusedFileError(f"is more than {max_bytes} bytes; at most {max_bytes} are allowed")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_regular_text(path: str | Path, max_bytes: int) -> str:
    """read_regular_file decoded as UTF-8 (UnicodeDecodeError when it is not)."""
    return read_regular_file(path, max_bytes).decode("utf-8")


def write_atomic(path: Path, data: bytes, tmp_prefix: str = ".tmp-") -> None:
    """Write data to path so that a reader sees the old file or the new one, never half.

    Temp file in the same folder, fsync, rename. Raises OSError (a full or read-only disk);
    the temp file is removed whatever happens, so failures never leave 0-byte files."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tmp_prefix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
