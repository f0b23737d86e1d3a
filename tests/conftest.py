"""Shared fixtures. Kivy's environment must be set before anything imports kivy."""

import itertools
import os
import tempfile
import time
from dataclasses import dataclass, field
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


@dataclass
class RecordingHelpDesk:
    """Stands in for the help-call service where a test is not about delivery; records calls."""

    requests: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    acknowledged: list = field(default_factory=list)
    listeners: list = field(default_factory=list)
    calls: dict = field(default_factory=dict)
    configured: bool = True  # False: like a kiosk with no channel, calls reach nobody
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def start(self):
        pass

    def add_listener(self, fn):
        self.listeners.append(fn)

    def set_button_handler(self, fn):
        self.button = fn

    def request(self, context):
        from kiosk.helpcall import CallStatus, HelpCall
        number = next(self._numbers)
        call = HelpCall(id=f"call-{number}", number=number, status=CallStatus.WAITING,
                        created_at=time.time(), context=context)
        self.requests.append(context)
        self.calls[call.id] = call
        return call

    def report(self, call_id, status):
        """What the real service does from its workers: tell listeners a call changed."""
        from dataclasses import replace
        call = self.calls[call_id] = replace(self.calls[call_id], status=status)
        for listener in self.listeners:
            listener(call)

    def cancel(self, call_id):
        self.cancelled.append(call_id)
        self.calls.pop(call_id, None)

    def acknowledge(self, call_id):
        self.acknowledged.append(call_id)

    def waiting(self):
        return list(self.calls.values())

    def channels_configured(self):
        return self.configured

    def close(self):
        pass



@pytest.fixture
def help_desk():
    return RecordingHelpDesk()


# Fixtures that open the real Kivy window: a test using any of them is a screen test.
WINDOW_FIXTURES = {"window", "make_kiosk"}


def pytest_collection_modifyitems(config, items):
    """Mark every test that opens the window as `screen`, so `-m "not screen"` is the fast
    tier; tests that start a windowed kiosk in a subprocess carry the mark themselves."""
    for item in items:
        if WINDOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.screen)
