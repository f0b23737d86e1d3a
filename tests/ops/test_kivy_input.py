"""Exactly one Kivy input provider, checked on Kivy's own Config and in a real window."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from kiosk.config import InputSection
from kiosk.kivy_input import configure_kivy_input, provider_line

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


DUMP_DEFAULTS = ("import json\nfrom kivy.config import Config\n"
                 "print(json.dumps({s: dict(Config.items(s, raw=True)) for s in Config.sections()}))\n")


@pytest.fixture(scope="module")
def kivy_defaults(tmp_path_factory):
    """Kivy's default config as a fresh process sees it: the global Config in this process
    may already be changed by the screen tests' window."""
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_HOME=str(tmp_path_factory.mktemp("kivy-home")),
               KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1", KIVY_USE_DEFAULTCONFIG="1")
    done = subprocess.run([sys.executable, "-c", DUMP_DEFAULTS], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def kivy_default_config(kivy_defaults):
    """A Kivy ConfigParser holding those defaults (never the process-wide Config)."""
    from kivy.config import ConfigParser
    copy = ConfigParser()
    for section, items in kivy_defaults.items():
        copy.add_section(section)
        for key, value in items.items():
            copy.set(section, key, value)
    return copy


def test_kivy_defaults_really_have_more_than_one_provider(kivy_default_config):
    # The reason this module exists; if Kivy ever changes this, the test says so.
    assert len(kivy_default_config.options("input")) >= 2


@pytest.mark.parametrize("settings, line", [
    (InputSection(), "mouse,disable_multitouch"),
    (InputSection(provider="hidinput", touch_device="/dev/input/by-id/usb-ilitek-event-if00"),
     "hidinput,/dev/input/by-id/usb-ilitek-event-if00,rotation=0"),
    (InputSection(provider="mtdev", touch_device="/dev/input/event3", rotation=270, invert_x=True, invert_y=True),
     "mtdev,/dev/input/event3,rotation=270,invert_x=1,invert_y=1"),
])
def test_the_input_section_holds_exactly_one_provider(kivy_default_config, settings, line):
    assert configure_kivy_input(kivy_default_config, settings) == line
    assert kivy_default_config.items("input") == [("touch", line)]


def test_configuring_twice_still_leaves_one(kivy_default_config):
    configure_kivy_input(kivy_default_config, InputSection(provider="hidinput"))
    configure_kivy_input(kivy_default_config, InputSection())
    assert kivy_default_config.items("input") == [("touch", provider_line(InputSection()))]


PROBE = textwrap.dedent("""
    import json, sys
    from kivy.config import Config
    from kiosk.config import InputSection
    from kiosk.kivy_input import configure_kivy_input
    configure_kivy_input(Config, InputSection(**json.loads(sys.argv[1])))
    # The real start-up path: an App whose first frame records the running providers.
    from kivy.app import App
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.uix.widget import Widget
    names = []
    class Probe(App):
        def build(self):
            Clock.schedule_once(self.record, 0)
            return Widget()
        def record(self, _dt):
            names.extend(type(p).__name__ for p in EventLoop.input_providers)
            self.stop()
    Probe().run()
    print(json.dumps(names))
""")


@pytest.mark.parametrize("settings, provider", [
    ({"provider": "mouse"}, "MouseMotionEventProvider"),
    ({"provider": "hidinput", "touch_device": "/dev/input/does-not-exist"}, "HIDInputMotionEventProvider"),
])
def test_a_real_event_loop_starts_exactly_one_configured_provider(tmp_path, settings, provider):
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_HOME=str(tmp_path), KIVY_NO_FILELOG="1",
               KIVY_NO_CONSOLELOG="1", KIVY_USE_DEFAULTCONFIG="1", PYTHONPATH=REPO)
    probe = tmp_path / "probe.py"  # Kivy's App looks for its .kv next to the source file
    probe.write_text(PROBE, encoding="utf-8")
    done = subprocess.run([sys.executable, str(probe), json.dumps(settings)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    names = json.loads(done.stdout.strip().splitlines()[-1])
    # Kivy's SDL2 window always adds its own "sdl" provider, which forwards finger events
    # only on Android and iOS; every other provider comes from our config.
    assert [n for n in names if n != "SDL2MotionEventProvider"] == [provider]
