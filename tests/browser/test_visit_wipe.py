"""A visit's browser forgets: after the wipe, nothing the visitor's pages stored is left.

Real Chromium (headless, same flags and per-visit folder as on the kiosk), pages on
127.0.0.1. The positive control comes first: within the visit, a second page load finds
the cookie, localStorage, IndexedDB entry (so the read page can see them, and the wipe is
what makes them go).
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from kiosk.browser.session import BrowserSession, processes_naming
from tests.browser.conftest import ROOT_FLAGS, files_holding


def _session(chromium: str, root: Path) -> BrowserSession:
    return BrowserSession(chromium, root, headless=True, extra_flags=ROOT_FLAGS)


def test_after_the_wipe_a_new_browser_finds_nothing_and_no_file_holds_the_canary(chromium, site_server, tmp_path,
                                                                                  profile_root):
    canary = "canary" + secrets.token_hex(8)
    root = profile_root
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    first = _session(chromium, root)
    first.start(f"{site_server.base}/write?c={canary}")
    during = site_server.wait_report()
    assert canary in during["cookie"] and during["local"] == canary and during["idb"] == canary, during
    assert "/typed" in site_server.requests  # the typed field was submitted
    folder = first.folder
    assert folder is not None and folder.parent == root and (folder.stat().st_mode & 0o777) == 0o700
    assert files_holding(canary.encode(), [folder]), "the profile should hold the canary before the wipe"

    first.wipe()

    assert first.is_empty()
    assert not folder.exists() and not processes_naming(folder)
    second = _session(chromium, root)
    try:
        second.start(f"{site_server.base}/read")
        after = site_server.wait_report()
        assert after == {"cookie": "", "local": "", "idb": ""}
        assert second.folder != folder
        leftovers = files_holding(canary.encode(), [root, data_dir, Path(tempfile.gettempdir()), Path("/dev/shm")])
        assert leftovers == []
    finally:
        second.wipe()
    assert second.is_empty()
