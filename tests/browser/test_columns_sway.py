"""The guide widens with the visitor's text size, under a real sway (WLR_BACKENDS=headless)
with the kiosk's own config: 40 % of the screen at 1×, 45 % at 1.25×, 50 % at 1.5×. In the
40 % column at 1.5× the step kept two lines of its text (tests/screens/test_guide_column_bar.py).

The guide stand-in is an X11 window of class pas-a-pas (as in test_layout_sway.py); the site is
the kiosk's BrowserSession with a real --app window."""

from __future__ import annotations

import logging
import time

from kiosk.browser.columns import GUIDE_SHARE_PPT, ColumnWidths
from kiosk.browser.session import BrowserSession
from tests.browser.conftest import BROWSER_WAIT_S, ROOT_FLAGS
from tests.browser.test_layout_sway import GUIDE_PAGE, SITE_PAGE, _class


def _guide_share(sway) -> float | None:
    output = sway.msg("-t", "get_outputs")[0]["rect"]
    guides = [w for w in sway.windows() if _class(w) == "pas-a-pas"]
    return 100 * guides[0]["rect"]["width"] / output["width"] if guides else None


def _wait_share(sway, share: float) -> float | None:
    deadline = time.monotonic() + BROWSER_WAIT_S
    while time.monotonic() < deadline:
        seen = _guide_share(sway)
        if seen is not None and abs(seen - share) <= 0.5:
            return seen
        time.sleep(0.2)
    return _guide_share(sway)


def _site(sway) -> BrowserSession:
    return BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                          environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                   "XDG_RUNTIME_DIR": str(sway.runtime)})


def test_the_guide_column_follows_the_text_size_and_comes_back(sway):
    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    browser = _site(sway)
    columns = ColumnWidths(str(sway.socket))
    try:
        browser.start(SITE_PAGE)
        sway.wait_windows(lambda ws: len(ws) == 2)
        assert _wait_share(sway, 40) == 40  # sway's config, before the kiosk says anything
        seen = []
        for index in (2, 1, 0):
            columns.follow(index)
            seen.append(round(_wait_share(sway, GUIDE_SHARE_PPT[index]), 1))
        assert seen == [50, 45, 40]
    finally:
        columns.close()
        browser.wipe()


def test_a_site_that_opens_after_the_text_grew_gets_the_wider_guide_too(sway):
    """sway's for_window sizes each new site window at 60 % when it maps: the kiosk's width
    must win however late the window comes."""
    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    browser = _site(sway)
    columns = ColumnWidths(str(sway.socket))
    try:
        columns.follow(2)  # no site yet: nothing to size
        browser.start(SITE_PAGE)
        columns.site_shown()  # what the controller does on the browser's « open »
        sway.wait_windows(lambda ws: len(ws) == 2)
        assert round(_wait_share(sway, 50), 1) == 50
    finally:
        columns.close()
        browser.wipe()


def test_a_sway_that_does_not_answer_gives_one_line_and_nothing_else(tmp_path, caplog):
    columns = ColumnWidths(str(tmp_path / "no-sway.sock"))
    with caplog.at_level(logging.WARNING, logger="kiosk.browser.columns"):
        for index in (1, 2, 0, 2):
            columns.follow(index)
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        columns.close()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1, lines
    assert lines[0].startswith("guide column width: swaymsg refused get_tree"), lines
    assert not columns._thread.is_alive()
