"""Downloads are not kept: under the kiosk's managed policy (DownloadRestrictions = 3) a
real Chromium asked for an attachment writes it nowhere. Pages on 127.0.0.1; the file's
bytes are a canary unique to the test, searched for in the visit folder (Chromium's
profile, HOME, TMPDIR and XDG folders are all in it), /tmp, /dev/shm and the test's HOME.

The positive control comes first: without the policy the same request writes the file
into the visit folder (HOME/Downloads), so the search would find a download.

Seen under the policy (Chromium 156): the response's bytes may be in a temporary file of
Chromium's TMPDIR (<visit folder>/tmp/.org.chromium.Chromium.XXXXXX) for a moment while the
download is refused, then deleted. That file is inside the visit folder, which the reset
deletes; the test allows it there only, and only for a moment.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kiosk.browser.guard import ready_url
from kiosk.browser.session import BrowserSession
from tests.browser.conftest import BROWSER_WAIT_S, MANAGED_DIR, ROOT_FLAGS, files_holding, managed_test_policy

SETTLE_S = 3.0  # after the file was served; the control writes it within a second


def _extra(base: str) -> tuple[str, ...]:
    return (f"{base}/download", f"{base}/file", f"{base}/report")


def _wait_served(site_server, count: int) -> None:
    deadline = time.monotonic() + BROWSER_WAIT_S
    while site_server.served_files < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert site_server.served_files >= count, f"/file not served; requests: {site_server.requests}"


def _holding(site_server, folder: Path) -> list[Path]:
    roots = [folder, Path("/tmp"), Path("/dev/shm"), Path.home()]
    return sorted(set(files_holding(site_server.canary, [r for r in roots if r.exists()])))


def test_without_the_policy_the_attachment_would_be_written_into_the_visit_folder(chromium, site_server,
                                                                                   profile_root):
    if os.geteuid() == 0 and list(MANAGED_DIR.glob("*.json")):
        pytest.skip("a managed policy is installed on this machine: no control without it")
    browser = BrowserSession(chromium, profile_root, headless=True, extra_flags=ROOT_FLAGS)
    try:
        browser.start(f"{site_server.base}/download")
        _wait_served(site_server, 1)
        folder = browser.folder
        deadline = time.monotonic() + BROWSER_WAIT_S
        while not (hits := _holding(site_server, folder)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert hits and all(folder in hit.parents for hit in hits), hits
    finally:
        browser.wipe()
    assert browser.is_empty()


@pytest.fixture
def download_policy(site_server):
    """The kiosk's policy (DownloadRestrictions = 3) plus the test pages, where Chromium
    reads it (root only; it applies to every Chromium here while it is there)."""
    def refuses_downloads(policy):
        assert policy["DownloadRestrictions"] == 3
    with managed_test_policy("download", _extra(site_server.base), check=refuses_downloads) as path:
        yield path


def test_under_the_policy_an_attachment_is_written_nowhere(chromium, site_server, download_policy, profile_root):
    browser = BrowserSession(chromium, profile_root, headless=True, extra_flags=ROOT_FLAGS,
                             guard_extra=_extra(site_server.base))
    try:
        # As after a reset: started ahead on the kiosk's neutral page, which the policy lets in.
        browser.prestart()
        deadline = time.monotonic() + BROWSER_WAIT_S
        while browser.guard.pages() != [ready_url()] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert browser.guard.pages() == [ready_url()] and browser.guard.replaced == 0
        folder = browser.folder
        # A link on the page asks for the attachment...
        assert browser.open(f"{site_server.base}/download") == "shown in the pre-started browser"
        assert site_server.wait_report() == "download-asked"
        _wait_served(site_server, 1)
        # ...and a navigation straight to it.
        browser.open(f"{site_server.base}/file")
        _wait_served(site_server, 2)
        time.sleep(SETTLE_S)
        # Chromium may keep a refused download's bytes in a temporary file of the visit's own
        # temp folder (gone within 0.5 s in some runs, still there after 30 s in another):
        # there only, never under home/ or elsewhere, and deleted with the folder at reset.
        inside = files_holding(site_server.canary, [folder])
        assert all(hit.parent == folder / "tmp" and hit.name.startswith(".org.chromium.") for hit in inside), inside
        assert browser.running()
        assert [hit for hit in _holding(site_server, folder) if hit not in inside] == []
        downloads = folder / "home" / "Downloads"
        assert not downloads.exists() or not any(downloads.iterdir())
    finally:
        browser.wipe()
    assert browser.is_empty() and _holding(site_server, folder) == []
