"""After a verified wipe, nothing a visitor typed can be found in the kiosk's memory.

The real kiosk runs in a subprocess (tests/screens/memory_driver.py: offscreen window,
embedded defaults, a tmp data dir, real services); a canary is typed with real touches on
the kiosk's keyboard into the home search (then erased key by key) and into a field step,
then « Terminer et effacer mes informations ». Once wipe-status.json says verified and
the process has collected garbage, this test reads its memory (/proc/PID/maps and
/proc/PID/mem) and counts copies of each canary and of its typed prefixes (≥ 6 characters)
in UTF-8, UTF-16-LE and UCS-4. Root reads a non-dumpable process's memory thanks to
CAP_SYS_PTRACE; another user cannot, so then the driver keeps itself dumpable
(docs/FIELD_NOTES.md).
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.screens.memory_driver import scan_memory

DRIVER = Path(__file__).with_name("memory_driver.py")
pytestmark = [pytest.mark.screen, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/PID/mem")]


def may_read_undumpable() -> bool:
    """CAP_SYS_PTRACE in the effective set: /proc/PID/mem of a non-dumpable process opens."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) & (1 << 19))
    return False


def canary(first: str) -> str:
    # Letters and digits only (every one is a key of the kiosk's keyboard), never seen before.
    alphabet = string.ascii_uppercase + string.digits
    return first + "".join(secrets.choice(alphabet) for _ in range(11))


def start_kiosk(data_dir: Path, field: str, search: str) -> subprocess.Popen:
    env = dict(os.environ, KIVY_HOME=str(data_dir / "kivy"), KIVY_NO_CONSOLELOG="1")
    if not may_read_undumpable():
        env["PAS_A_PAS_TEST_KEEP_DUMPABLE"] = "1"
    # stderr to a file: a pipe nobody reads would block the kiosk once 64 KiB of log fill it.
    with open(data_dir / "driver-stderr.txt", "w") as stderr:
        proc = subprocess.Popen([sys.executable, str(DRIVER), str(data_dir)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=stderr, env=env, text=True,
                                cwd=DRIVER.parents[2])
    proc.data_dir = data_dir
    proc.stdin.write(f"{field}\n{search.lower()}\n")
    proc.stdin.close()
    return proc


def wait_line(proc: subprocess.Popen, prefix: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
        if not line and proc.poll() is not None:
            break
    proc.kill()
    stderr = (proc.data_dir / "driver-stderr.txt").read_text(errors="replace")
    raise AssertionError(f"the kiosk never said {prefix!r}: {stderr[-3000:]}")


def test_no_typed_text_in_memory_after_the_wipe(tmp_path):
    field, search = canary("Q"), canary("W")
    proc = start_kiosk(tmp_path, field, search)
    try:
        pid = int(wait_line(proc, "SCAN ", 75).split()[1])
        # Started again as `kiosk run` does, with the allocator that overwrites freed memory.
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"PYTHONMALLOC=malloc" in environ
        # glibc rewrites its start-up copy in place (mxfast, though in effect, is left out of it).
        assert any(e.startswith(b"GLIBC_TUNABLES=glibc.malloc.tcache_count=0") for e in environ)
        time.sleep(1.0)  # a few idle frames, as the kiosk waiting for its next visitor
        # The control is alive in the kiosk (its configured name): the scan must find it.
        result = scan_memory(pid, {"field": field, "search": search.lower()}, controls={"control": "Borne test"})
    finally:
        (tmp_path / "stop").touch()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(result)
    assert result["bytes_scanned"] > 50 * 1024 * 1024  # the scan really read the heap
    assert result["copies"].pop("control")["whole"] >= 1
    assert result["copies"] == {"field": {"whole": 0, "prefixes": 0}, "search": {"whole": 0, "prefixes": 0}}
