"""Fixtures for the ops tests: a config whose data_dir lives in the test's temp dir."""

import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.config import Config, KioskSection


@pytest.fixture
def ops_config(tmp_path) -> Config:
    data = tmp_path / "data"
    data.mkdir()
    return Config(kiosk=replace(KioskSection(), data_dir=data), source=str(tmp_path / "kiosk.toml"))


@pytest.fixture
def serial_pair(tmp_path):
    """A real pseudo-terminal pair made by socat: (kiosk side, device side)."""
    if not shutil.which("socat"):
        pytest.skip("socat is not installed (scripts/setup.sh installs it)")
    a, b = tmp_path / "tty0", tmp_path / "tty1"
    proc = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        if a.exists() and b.exists():
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail("socat did not create the pseudo-terminals")
    yield Path(a), Path(b)
    proc.terminate()
    proc.wait(timeout=5)


@pytest.fixture
def small_pack(tmp_path):
    """A content pack of shipped files, independent of procedures being edited elsewhere."""
    from kiosk.config import ASSETS_DIR
    from kiosk.content.loader import load_pack
    root = tmp_path / "content"
    (root / "procedures").mkdir(parents=True)
    shutil.copy(ASSETS_DIR / "content" / "categories.yaml", root)
    shutil.copy(ASSETS_DIR / "content" / "procedures" / "creer-adresse-email.yaml", root / "procedures")
    return load_pack(root)
