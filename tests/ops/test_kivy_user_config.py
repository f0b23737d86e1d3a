"""The kiosk ignores any Kivy user configuration (issue: [modules] in $KIVY_HOME/config.ini)."""

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT

PROBE = """
import kiosk.app
from kivy.config import Config
print(sorted(Config.options('modules')))
"""


def bare_env(kivy_home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_")}
    env.update(KIVY_HOME=str(kivy_home), KIVY_NO_ARGS="1")
    return env


def hostile_config(kivy_home):
    """A config.ini as Kivy writes it, with the inspector turned on in [modules]."""
    subprocess.run([sys.executable, "-c", "import kivy.config"], env=bare_env(kivy_home),
                   capture_output=True, timeout=60, check=True)
    path = kivy_home / "config.ini"
    path.write_text(path.read_text().replace("[modules]\n", "[modules]\ninspector = \n"))
    return path


def run_probe(kivy_home, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_")}
    env.update(KIVY_HOME=str(kivy_home), **(extra_env or {}))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_modules_in_the_kivy_user_config_are_not_loaded(tmp_path):
    path = hostile_config(tmp_path)
    before = path.read_text()
    assert run_probe(tmp_path) == "[]"
    assert path.read_text() == before  # not rewritten either


def test_kivy_alone_would_load_them(tmp_path):
    """The same file, read by Kivy without the kiosk: the threat is real."""
    hostile_config(tmp_path)
    done = subprocess.run([sys.executable, "-c", "from kivy.config import Config; print(Config.options('modules'))"],
                          env=bare_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert "inspector" in done.stdout
