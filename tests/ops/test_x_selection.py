"""Visitor text never reaches X's selections: no xclip/xsel, even when installed."""

import os
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent("""
    import sys
    if sys.argv[1] == "kiosk":
        from kiosk.app import configure_kivy
        from kiosk.config import Config
        configure_kivy(Config())
    from kivy.core import clipboard
    print(type(clipboard.Clipboard).__name__, type(clipboard.CutBuffer).__name__)
""")


@pytest.fixture
def fake_x_tools(tmp_path):
    """xclip and xsel on PATH that record every run (and answer Kivy's version probe)."""
    bin_dir, record = tmp_path / "bin", tmp_path / "runs.log"
    bin_dir.mkdir()
    for tool in ("xclip", "xsel"):
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $*" >> {record}\necho "{tool} version 0.13"\n')
        script.chmod(0o755)
    return bin_dir, record


def probe(mode, bin_dir, tmp_path):
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", KIVY_HOME=str(tmp_path / "kivy"),
               KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_LOG_MODE="PYTHON")
    env.pop("KIVY_NO_CONSOLELOG", None)
    done = subprocess.run([sys.executable, "-c", PROBE, mode], env=env, capture_output=True, text=True,
                          timeout=60, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert done.returncode == 0, done.stderr
    return done


def test_kivy_alone_would_use_xclip(fake_x_tools, tmp_path):
    # The control: without the kiosk's settings, the fake tools are found and run.
    bin_dir, record = fake_x_tools
    done = probe("kivy", bin_dir, tmp_path)
    assert done.stdout.split()[1] != "NoneType"
    assert record.exists()


def test_the_kiosk_uses_no_x_tool_and_logs_no_complaint(fake_x_tools, tmp_path):
    bin_dir, record = fake_x_tools
    done = probe("kiosk", bin_dir, tmp_path)
    clipboard, cut_buffer = done.stdout.split()
    assert clipboard in ("ClipboardSDL2", "ClipboardDummy") and cut_buffer == "NoneType"
    assert not record.exists(), record.read_text()
    assert "Cutbuffer" not in done.stderr and "Traceback" not in done.stderr
