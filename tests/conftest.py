"""Shared fixtures. Kivy's environment must be set before anything imports kivy."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ.setdefault("KIVY_USE_DEFAULTCONFIG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

import pytest  # noqa: E402

from kiosk.config import ASSETS_DIR, Config  # noqa: E402
from kiosk.content.loader import load_pack  # noqa: E402


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def real_pack():
    """The content pack shipped in assets/content."""
    return load_pack(ASSETS_DIR / "content")


@pytest.fixture(scope="session")
def window():
    """The one real (offscreen) Kivy window of the test process, for screen tests."""
    from tests.window_driver import open_window
    return open_window()


@pytest.fixture
def default_config() -> Config:
    return Config()


REPO_ROOT = Path(__file__).resolve().parent.parent
