"""`kiosk run` as a technician starts it: a real process, its exit code and its stderr."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def kiosk(*args, env_extra=None, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_")}
    env.update({"HOME": str(kwargs.pop("home")), "KIVY_NO_ARGS": "1"})
    env.update(env_extra or {})
    return subprocess.Popen([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_broken_content_stops_the_start_with_one_line(tmp_path):
    pack = tmp_path / "pack"
    (pack / "procedures").mkdir(parents=True)
    (pack / "categories.yaml").write_text("categories:\n  - id: x\n    title: X\n    icon: cash\n")
    (pack / "procedures" / "broken.yaml").write_text("id: broken\ncategory: x\ntitle: [\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ncontent_dir = "{pack}"\n')
    proc = kiosk("run", "--config", str(config), home=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.count("\n") == 1, err
    assert "broken.yaml:4: [yaml]" in err and "Traceback" not in err


def test_run_on_embedded_defaults_opens_the_kiosk_and_stops_on_sigterm(tmp_path):
    proc = kiosk("run", home=tmp_path)
    ready = False
    deadline = time.monotonic() + 60
    lines = []
    try:
        os.set_blocking(proc.stderr.fileno(), False)
        while time.monotonic() < deadline and proc.poll() is None:
            chunk = proc.stderr.readline()
            if chunk:
                lines.append(chunk)
                if "kiosk ready" in chunk:
                    ready = True
                    # `kiosk run` started itself again (same pid) with freed memory overwritten.
                    environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
                    assert b"PYTHONMALLOC=malloc" in environ and b"MALLOC_PERTURB_=165" in environ
                    break
            else:
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("kiosk did not stop on SIGTERM")
    assert ready, "".join(lines[-20:])
    assert "Traceback" not in "".join(lines)
