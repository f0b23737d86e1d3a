"""No core dump ever holds visitor data: the kiosk process forbids its own core dumps.

Each test runs a real child process, since the protections cannot be undone in the test
process itself."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process controls")

# The child raises its core limit as a unit without LimitCORE=0 could, keeps a canary in
# memory as typed text would be, optionally protects itself, then crashes.
CHILD = """
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
canary = ("CANARY-" + "visiteur-" * 3 + sys.argv[2]) * 100
if sys.argv[1] == "protect":
    from kiosk.process import forbid_core_dumps, is_dumpable
    done = forbid_core_dumps()
    limits = [l for l in open("/proc/self/limits") if l.startswith("Max core file size")]
    print(json.dumps({"done": [done.core_limit_zero, done.not_dumpable, list(done.problems)],
                      "dumpable": is_dumpable(), "rlimit": list(resource.getrlimit(resource.RLIMIT_CORE)),
                      "limits": limits[0].split()[4:6]}), flush=True)
if sys.argv[3] == "crash":
    os.abort()
"""


def run_child(cwd, protect, crash, tag="x"):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", CHILD, "protect" if protect else "plain", tag,
                           "crash" if crash else "exit"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_the_child_reads_back_not_dumpable_and_a_zero_core_limit(tmp_path):
    done = run_child(tmp_path, protect=True, crash=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["done"] == [True, True, []]
    assert seen["dumpable"] is False
    assert seen["rlimit"] == [0, 0]
    assert seen["limits"] == ["0", "0"]  # /proc/self/limits: soft and hard


def test_a_crash_of_a_protected_process_writes_no_core(tmp_path):
    plain, protected = tmp_path / "plain", tmp_path / "protected"
    plain.mkdir()
    protected.mkdir()
    control = run_child(plain, protect=False, crash=True, tag="TEMOIN")
    assert control.returncode == -signal.SIGABRT
    cores = list(plain.glob("core*"))
    if not cores:
        pytest.skip("this machine writes no core file in the working directory "
                    f"(core_pattern {Path('/proc/sys/kernel/core_pattern').read_text().strip()!r})")
    assert b"CANARY-visiteur-" in cores[0].read_bytes()  # what the finding saw
    done = run_child(protected, protect=True, crash=True, tag="PROTEGE")
    assert done.returncode == -signal.SIGABRT
    assert list(protected.iterdir()) == []


def test_an_ordinary_process_reads_as_dumpable():
    """So that the False read back above means something."""
    from kiosk.process import is_dumpable
    assert is_dumpable() is True
