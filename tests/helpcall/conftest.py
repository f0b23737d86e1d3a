"""Fixtures for help-call tests: real parts from hc_support, a config in a temp data dir."""

from __future__ import annotations

import shutil
import socket
from dataclasses import replace

import pytest
from hc_support import Hook, Socat

from kiosk.config import Config, HelpCallSection, KioskSection


@pytest.fixture
def make_config(tmp_path):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)

    def make(**helpcall) -> Config:
        kiosk = replace(KioskSection(), data_dir=data, name="Borne 2", place="Médiathèque Jules-Verne")
        return Config(kiosk=kiosk, helpcall=replace(HelpCallSection(), **helpcall))
    return make


@pytest.fixture
def hook():
    h = Hook().start()
    yield h
    h.stop()


@pytest.fixture
def free_port():
    """A port on 127.0.0.1 where nothing listens (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def socat(tmp_path):
    if not shutil.which("socat"):
        pytest.skip("socat is not installed (scripts/setup.sh installs it)")
    pair = Socat(tmp_path).start()
    yield pair
    pair.stop()
