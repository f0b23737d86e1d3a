"""sd_notify over a real UNIX datagram socket, path-based and abstract."""

import os
import socket

import pytest

from kiosk import sdnotify


@pytest.fixture
def listener(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(5)
    yield sock, path
    sock.close()


def test_ready_reaches_a_path_socket(listener):
    sock, path = listener
    assert sdnotify.notify("READY=1", socket_path=path)
    assert sock.recv(4096) == b"READY=1"


def test_the_socket_comes_from_the_environment_and_text_is_utf8(listener, monkeypatch):
    sock, path = listener
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert sdnotify.notify("STATUS=Borne prête à l'accueil")
    assert sock.recv(4096).decode("utf-8") == "STATUS=Borne prête à l'accueil"


def test_a_leading_at_means_an_abstract_socket():
    name = f"pas-a-pas-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert sdnotify.notify("WATCHDOG=1", socket_path="@" + name)
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.notify("READY=1") is False


def test_a_vanished_socket_is_reported_not_raised(tmp_path):
    assert sdnotify.notify("WATCHDOG=1", socket_path=str(tmp_path / "gone")) is False


@pytest.mark.parametrize("env, period", [({"WATCHDOG_USEC": "30000000"}, 15.0), ({"WATCHDOG_USEC": "0"}, None),
                                         ({}, None), ({"WATCHDOG_USEC": "soon"}, None)])
def test_watchdog_period_is_half_of_watchdogsec(env, period):
    assert sdnotify.watchdog_period_s(env) == period
