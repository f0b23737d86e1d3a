"""Wipe registry and the per-session encrypted vault."""

import logging

import pytest
from cryptography.exceptions import InvalidTag

from kiosk.privacy import SessionVault, WipeRegistry, read_wipe_status, write_wipe_status


class Holder:
    def __init__(self, stubborn_times=0, explode=False):
        self.data = ["secret"]
        self.stubborn_times = stubborn_times
        self.explode = explode
        self.wipes = 0

    def wipe(self):
        self.wipes += 1
        if self.explode:
            raise RuntimeError("secret-in-message")
        if self.stubborn_times:
            self.stubborn_times -= 1
            return
        self.data.clear()

    def is_empty(self):
        return not self.data


def test_wipe_runs_every_holder_and_verifies(caplog):
    caplog.set_level(logging.INFO)
    reg = WipeRegistry()
    a, b = Holder(), Holder()
    reg.register("a", a.wipe, a.is_empty)
    reg.register("b", b.wipe, b.is_empty)
    report = reg.wipe_all()
    assert report.clean and report.results == {"a": True, "b": True}
    assert "wipe a: empty" in caplog.text
    assert "secret" not in caplog.text


def test_a_holder_that_resists_once_is_wiped_again():
    reg = WipeRegistry()
    h = Holder(stubborn_times=1)
    reg.register("stubborn", h.wipe, h.is_empty)
    assert reg.wipe_all().clean
    assert h.wipes == 2


def test_a_failing_holder_is_reported_and_does_not_stop_the_others(caplog):
    reg = WipeRegistry()
    bad, good = Holder(explode=True), Holder()
    reg.register("bad", bad.wipe, bad.is_empty)
    reg.register("good", good.wipe, good.is_empty)
    report = reg.wipe_all()
    assert not report.clean and report.failed() == ["bad"]
    assert good.is_empty()
    assert "wipe bad: NOT EMPTY" in caplog.text
    assert "secret-in-message" not in caplog.text


def test_vault_round_trip_and_files_are_not_readable(tmp_path):
    vault = SessionVault(tmp_path / "session")
    path = vault.write("draft", b"CANARY-123 e-mail marie@example.org")
    assert vault.read("draft") == b"CANARY-123 e-mail marie@example.org"
    raw = path.read_bytes()
    assert b"CANARY" not in raw and b"marie" not in raw
    assert not vault.is_empty()


def test_vault_wipe_drops_the_key_and_the_files(tmp_path):
    vault = SessionVault(tmp_path / "session")
    vault.write("draft", b"CANARY")
    vault.wipe()
    assert vault.is_empty()
    assert list((tmp_path / "session").iterdir()) == []


def test_a_new_process_cannot_read_and_deletes_what_a_crash_left(tmp_path):
    crashed = SessionVault(tmp_path / "session")
    path = crashed.write("draft", b"CANARY")
    blob = path.read_bytes()
    restarted = SessionVault(tmp_path / "session")
    with pytest.raises(InvalidTag):
        # Same ciphertext, another process's key: unreadable.
        restarted._aead().decrypt(blob[:12], blob[12:], b"draft")
    assert restarted.clean_leftovers() == 1
    assert not path.exists()


def test_vault_refuses_names_that_leave_its_folder(tmp_path):
    vault = SessionVault(tmp_path / "session")
    for bad in ("../x", "a/b", ".hidden", ""):
        with pytest.raises(ValueError):
            vault.write(bad, b"x")


def test_wipe_status_file_holds_names_and_results_only(tmp_path):
    reg = WipeRegistry()
    h = Holder(explode=True)
    reg.register("text inputs", h.wipe, h.is_empty)
    write_wipe_status(tmp_path / "wipe-status.json", reg.wipe_all(), when=123.0)
    status = read_wipe_status(tmp_path / "wipe-status.json")
    assert status == {"at": 123.0, "clean": False, "holders": {"text inputs": False}}
    assert read_wipe_status(tmp_path / "missing.json") is None


# ----- the wipe status on a disk that refuses it ---------------------------------------------
def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".wipe-"))


@pytest.mark.parametrize("disk", ["full", "read-only"])
def test_wipe_status_on_a_full_or_read_only_disk_logs_one_line_and_leaves_nothing(tmp_path, caplog, disk):
    from tests.core.mounts import tmpfs
    report = WipeRegistry().wipe_all()
    with tmpfs(tmp_path / "data", read_only=disk == "read-only", full=disk == "full") as folder:
        caplog.clear()
        for when in (1.0, 2.0, 3.0):
            write_wipe_status(folder / "wipe-status.json", report, when)  # never raises
        assert _leftovers(folder) == []
        assert not (folder / "wipe-status.json").exists()
        lines = [r for r in caplog.records if "wipe status" in r.getMessage()]
        assert len(lines) == 3 and all(r.levelno == logging.WARNING for r in lines)
        assert all("\n" not in r.getMessage() for r in lines)


def test_wipe_status_whose_folder_is_a_file_does_not_raise(tmp_path, caplog):
    blocker = tmp_path / "data"
    blocker.write_text("")
    write_wipe_status(blocker / "wipe-status.json", WipeRegistry().wipe_all(), 1.0)
    assert "cannot write the wipe status" in caplog.text


def test_wipe_status_that_cannot_replace_the_old_one_removes_its_temp_file(tmp_path, caplog):
    (tmp_path / "wipe-status.json").mkdir()  # os.replace of a file onto a folder fails
    write_wipe_status(tmp_path / "wipe-status.json", WipeRegistry().wipe_all(), 1.0)
    assert _leftovers(tmp_path) == []
    assert "cannot write the wipe status" in caplog.text


def test_wipe_status_still_written_and_read_back(tmp_path):
    reg = WipeRegistry()
    reg.register("a", lambda: None, lambda: True)
    write_wipe_status(tmp_path / "wipe-status.json", reg.wipe_all(), 5.0)
    assert read_wipe_status(tmp_path / "wipe-status.json") == {"at": 5.0, "clean": True, "holders": {"a": True}}
    assert _leftovers(tmp_path) == []


def test_reading_the_wipe_status_from_a_fifo_returns_at_once(tmp_path):
    """Doctor reads this file: a FIFO put in its place must not hang it."""
    import os
    import threading

    from kiosk.privacy import read_wipe_status
    fifo = tmp_path / "wipe-status.json"
    os.mkfifo(fifo)
    result = []
    reader = threading.Thread(target=lambda: result.append(read_wipe_status(fifo)), daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive() and result == [None]


# ----- the wiping allocator ------------------------------------------------------------------
class RecordingExec:
    """Stands in for os.execve (which would replace the test process); records the call."""

    def __init__(self, fail: bool = False):
        self.calls = []
        self.fail = fail

    def __call__(self, path, argv, env):
        self.calls.append((path, list(argv), dict(env)))
        if self.fail:
            raise PermissionError(13, "Permission denied")


def test_the_kiosk_starts_again_with_the_wiping_allocator_when_it_is_not_set():
    import sys

    from kiosk.privacy import WIPING_ALLOCATOR, reexec_with_wiping_allocator

    execve = RecordingExec()
    reexec_with_wiping_allocator({"PATH": "/usr/bin", "PYTHONMALLOC": "pymalloc"}, execve)
    [(path, argv, env)] = execve.calls
    assert path == sys.executable and argv == sys.orig_argv  # the same command, options included
    assert env["PYTHONMALLOC"] == "malloc" and int(env["MALLOC_PERTURB_"]) & 0xFF
    assert env["PATH"] == "/usr/bin" and all(env[k] == v for k, v in WIPING_ALLOCATOR.items())


def test_no_restart_when_the_allocator_is_set_and_never_a_second_one(caplog):
    from kiosk.privacy import REEXEC_MARK, WIPING_ALLOCATOR, reexec_with_wiping_allocator

    execve = RecordingExec()
    assert reexec_with_wiping_allocator(dict(WIPING_ALLOCATOR), execve) is True
    # Started again and still unset (something strips the environment): run as is, say so.
    assert reexec_with_wiping_allocator({REEXEC_MARK: "1"}, execve) is False
    assert execve.calls == []
    assert "freed memory is NOT overwritten" in caplog.text


def test_a_failed_restart_runs_on_with_one_warning(caplog):
    from kiosk.privacy import reexec_with_wiping_allocator

    assert reexec_with_wiping_allocator({}, RecordingExec(fail=True)) is False
    assert "cannot start again (Permission denied)" in caplog.text


# A str of n ASCII characters is a 48-byte header then n + 1 bytes (CPython 3.11, 64-bit).
# After it is freed, read its characters back where they were: a wiping allocator leaves
# no 6-character run of them. Strings of 6 and 7 characters land in glibc's fast bins,
# whose last 8 bytes free() never overwrites; others in its per-thread cache, which
# MALLOC_PERTURB_ does not reach at all (glibc 2.36).
_FREED_STR_PROBE = r"""
import ctypes, random, string, sys
buf = ctypes.create_string_buffer(256)
left = set()
for trial in range(10):
    for n in range(6, 65):
        s = "".join(random.choice(string.ascii_uppercase) for _ in range(n))
        addr, head = id(s) + sys.getsizeof("") - 1, s[:6].encode()  # past the header
        del s
        ctypes.memmove(buf, addr, n)
        if head in buf.raw[:n]:
            left.add(n)
print(sorted(left))
"""


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="glibc's malloc")
def test_the_wiping_allocator_overwrites_a_freed_str_of_any_length():
    import os
    import subprocess
    import sys

    from kiosk.privacy import WIPING_ALLOCATOR

    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "PYTHONMALLOC", "MALLOC_PERTURB_")}
    out = subprocess.run([sys.executable, "-c", _FREED_STR_PROBE], env={**env, **WIPING_ALLOCATOR},
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]", f"lengths whose characters outlived the str: {out.strip()}"
    # The probe sees what it looks for: with the interpreter's own allocator they stay.
    plain = subprocess.run([sys.executable, "-c", _FREED_STR_PROBE], env=env,
                           capture_output=True, text=True, timeout=60, check=True).stdout
    assert plain.strip() != "[]"
