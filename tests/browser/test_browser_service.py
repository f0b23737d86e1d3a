"""The controller with guided browsing: a step's site opens, a crash is noticed and the
page reopens, a stopped browser is killed and restarted, the guide's state is kept, and
the reset wipes the browser (a failed check blocks the next visit). Real Chromium
headless; reports cross from the browser's worker through a posted queue as on the kiosk.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest

import kiosk.browser.session as session_mod
from kiosk.browser.guard import ready_url
from kiosk.browser.service import BrowserService
from kiosk.browser.session import BrowserError, BrowserSession, processes_naming
from kiosk.config import Config, KioskSection
from kiosk.content.model import ContentPack
from kiosk.controller import KioskController
from kiosk.services import Services
from kiosk.session import State
from tests.browser.conftest import BROWSER_WAIT_S, ROOT_FLAGS


class Posted:
    def __init__(self):
        self.items, self.lock = [], threading.Lock()

    def __call__(self, fn):
        with self.lock:
            self.items.append(fn)

    def run(self) -> None:
        with self.lock:
            items, self.items = self.items, []
        for fn in items:
            fn()


def _pack_with_sites(pack: ContentPack, first_site: str, second_site: str) -> tuple[ContentPack, str]:
    proc = next(p for p in pack.procedures.values() if len(p.steps) >= 3)
    steps = list(proc.steps)
    steps[0] = dataclasses.replace(steps[0], site=first_site)
    steps[1] = dataclasses.replace(steps[1], site=second_site)
    proc = dataclasses.replace(proc, steps=tuple(steps), _by_id={})
    return dataclasses.replace(pack, procedures={**pack.procedures, proc.id: proc}), proc.id


def wait_for(condition, posted: Posted, timeout_s: float = BROWSER_WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        posted.run()
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def browsing(chromium, site_server, real_pack, profile_root, tmp_path, help_desk):
    made = []

    def make(chromium_path: str = chromium, guarded: bool = False):
        pack, proc_id = _pack_with_sites(real_pack, f"{site_server.base}/ping/one", f"{site_server.base}/ping/two")
        # guarded: the DevTools pipe, as on the kiosk (headless, it is what shows a site in
        # a browser started ahead; without it a headless browser is restarted on the page).
        session = BrowserSession(chromium_path, profile_root, headless=True, extra_flags=ROOT_FLAGS,
                                 guard_extra=(site_server.base,) if guarded else None)
        service = BrowserService(session, extra=(site_server.base,), watch_interval_s=0.2)
        posted = Posted()
        cfg = Config(kiosk=KioskSection(data_dir=tmp_path / "data"))
        c = KioskController(cfg, pack, Services(helpcall=help_desk, browser=service), post=posted)
        c.start()
        made.append(c)
        return c, proc_id, posted, session

    yield make
    for c in made:
        c.close()


def test_a_step_site_opens_a_crash_is_offered_again_and_the_guide_keeps_its_place(browsing, site_server):
    c, proc_id, posted, session = browsing()
    c.start_session()
    c.open_procedure(proc_id)
    assert site_server.wait_report() == "one"
    wait_for(lambda: c.browser_status == "open", posted)
    assert c.site_beside() is None
    c.next()
    assert site_server.wait_report() == "two"
    step_before = c.machine.visit.step_id
    folder = session.folder

    os.killpg(session.pid, signal.SIGKILL)  # a crash, as the kernel would end it
    wait_for(lambda: c.site_beside() == "crashed", posted)
    assert c.machine.state is State.STEP and c.machine.visit.step_id == step_before

    c.reopen_site()
    assert site_server.wait_report() == "two"
    wait_for(lambda: c.browser_status == "open", posted)
    assert session.folder == folder  # the same visit folder: the visit's cookies kept

    c.end_session()
    assert c.wipes.last_report.results["browser"] is True
    assert not folder.exists() and session.pid is None


def test_a_stopped_browser_is_killed_and_started_again_on_the_same_page(browsing, site_server):
    c, proc_id, posted, session = browsing()
    c.start_session()
    c.open_procedure(proc_id)
    assert site_server.wait_report() == "one"
    wait_for(lambda: c.browser_status == "open", posted)
    hung_pid = session.pid
    os.kill(hung_pid, signal.SIGSTOP)  # frozen: alive, but answers nothing
    try:
        assert site_server.wait_report() == "one"  # the watcher restarted it on its page
        assert session.pid != hung_pid and session.running()
    finally:
        try:
            os.kill(hung_pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert c.machine.state is State.STEP


def test_without_chromium_the_step_falls_back_to_the_qr_path_and_the_visit_goes_on(browsing):
    c, proc_id, posted, _session = browsing(chromium_path="/nonexistent/chromium")
    c.start_session()
    c.open_procedure(proc_id)
    wait_for(lambda: c.site_beside() == "unavailable", posted)
    c.next()
    assert c.machine.state is State.STEP


def test_a_browser_folder_that_cannot_be_deleted_fails_the_wipe_and_blocks_the_next_visit(
        browsing, site_server, monkeypatch):
    c, proc_id, posted, session = browsing()
    c.start_session()
    c.open_procedure(proc_id)
    assert site_server.wait_report() == "one"
    folder = session.folder
    # Root deletes anything here (no read-only mount to hand): the deletion is made to
    # fail, and each attempt recorded.
    attempts = []
    monkeypatch.setattr(session_mod.shutil, "rmtree", lambda path, ignore_errors=False: attempts.append(Path(path)))
    c.end_session()
    assert c.wipes.last_report.results["browser"] is False
    assert attempts.count(folder) == 2  # wiped, checked, wiped again, checked
    c.start_session()
    assert c.machine.state is not State.HOME  # no new visitor on a failed wipe
    monkeypatch.undo()
    c.start_session()  # the next wipe passes: the kiosk takes visitors again
    assert c.machine.state is State.HOME
    assert not folder.exists()


def _pages_now(session, expected: list[str]) -> list[str]:
    """The browser's pages once they are expected (or the last seen after BROWSER_WAIT_S)."""
    pages: list[str] | None = []
    deadline = time.monotonic() + BROWSER_WAIT_S
    while time.monotonic() < deadline:
        pages = session.guard.pages()
        if pages == expected:
            break
        time.sleep(0.2)
    return pages or []


def test_a_reset_starts_a_fresh_browser_that_the_first_site_step_only_shows_its_page_in(browsing, site_server):
    c, proc_id, posted, session = browsing(guarded=True)
    c.start_session()
    c.open_procedure(proc_id)
    assert site_server.wait_report() == "one"
    wait_for(lambda: c.browser_status == "open", posted)
    old_folder = session.folder

    c.end_session()
    # The wipe was checked with the visit's browser gone, before any browser was started ahead.
    assert c.wipes.last_report.clean and c.wipes.last_report.results["browser"] is True
    wait_for(lambda: session.prestarted, posted)
    new_folder, new_pid = session.folder, session.pid
    assert not old_folder.exists() and not processes_naming(f"{old_folder}/")
    assert new_folder != old_folder and session.leftover_folders() == [new_folder]
    assert new_pid in processes_naming(f"{new_folder}/")
    assert _pages_now(session, [ready_url()]) == [ready_url()]  # the neutral page, nothing of a site
    assert c.site_beside() is None and c.browser_status is None

    c.start_session()
    c.open_procedure(proc_id)
    assert site_server.wait_report() == "one"
    wait_for(lambda: c.browser_status == "open", posted)
    assert session.pid == new_pid and session.folder == new_folder  # the same browser: shown, not started
    assert _pages_now(session, [f"{site_server.base}/ping/one"]) == [f"{site_server.base}/ping/one"]

    c.end_session()
    assert c.wipes.last_report.results["browser"] is True and not new_folder.exists()


def test_a_browser_that_cannot_start_ahead_changes_nothing_the_visitor_sees(browsing, caplog):
    c, proc_id, posted, session = browsing(chromium_path="/nonexistent/chromium")
    c.start_session()
    with caplog.at_level(logging.INFO, logger="kiosk.browser.service"):
        c.end_session()
        assert c.wipes.last_report.clean
        wait_for(lambda: any("not started ahead" in r.getMessage() for r in caplog.records), posted)
    lines = [r.getMessage() for r in caplog.records if "not started ahead" in r.getMessage()]
    assert len(lines) == 1 and "/nonexistent/chromium" in lines[0]
    assert c.site_beside() is None and c.browser_status is None and session.is_empty()
    c.start_session()
    c.open_procedure(proc_id)
    wait_for(lambda: c.site_beside() == "unavailable", posted)  # the first site tries, as before


def test_a_leftover_folder_is_never_taken_for_the_next_visitors_browser(chromium, profile_root):
    session = BrowserSession(chromium, profile_root, headless=True, extra_flags=ROOT_FLAGS)
    leftover = profile_root / "visit-leftover"
    leftover.mkdir(parents=True)
    with pytest.raises(BrowserError):
        session.prestart()
    assert session.pid is None and session.folder is None  # nothing started, nothing reused
    session.wipe()
    assert not leftover.exists() and session.is_empty()
