"""The guided-browsing screen under a real sway (WLR_BACKENDS=headless) with the kiosk's
own config: the guide on the left, the site on the right, every later page stacked onto
the site column, no bar, no binding mode, and any other window closed as it opens.

sway refuses to run as root, so it runs as nobody (setpriv; root needed for that). The
guide stand-in is an X11 window of class pas-a-pas (Chromium on Xwayland: the kiosk's
Kivy window needs the venv, which nobody cannot read here); the site is the kiosk's
BrowserSession with real --app windows and real hand-overs.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from kiosk.browser.session import BrowserSession
from tests.browser.conftest import BROWSER_WAIT_S, ROOT_FLAGS

# Two pages of known colours, so that the screenshot can tell which column shows which.
GUIDE_PAGE = "data:text/html,<body style=background:rgb(0,90,80)><h1 style=color:white>Guide</h1>"
SITE_PAGE = "data:text/html,<title>one</title><body style=background:rgb(250,230,120)><h1>Site officiel</h1>"
SECOND_PAGE = "data:text/html,<title>two</title><body style=background:rgb(120,200,250)><h1>Autre site</h1>"


def _class(w: dict) -> str | None:
    return (w.get("window_properties") or {}).get("class")


def test_guide_left_site_right_later_pages_stacked_and_nothing_else_opens(sway):
    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    browser = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    try:
        browser.start(SITE_PAGE)
        windows = sway.wait_windows(lambda ws: len(ws) == 2 and any(w.get("app_id") for w in ws))
        guide, site = sorted(windows, key=lambda w: w["rect"]["x"])
        output = sway.msg("-t", "get_outputs")[0]["rect"]
        assert _class(guide) == "pas-a-pas" and guide["rect"]["x"] == 0
        assert re.match(r"^chrome-", site["app_id"]) and site["shell"] == "xdg_shell"
        assert abs(guide["rect"]["width"] - 0.4 * output["width"]) <= 2
        assert site["rect"]["x"] == guide["rect"]["width"]
        assert abs(site["rect"]["width"] - 0.6 * output["width"]) <= 2
        _assert_the_screen_shows_the_guide_left_and_the_site_right(sway, guide["rect"]["width"])
        _assert_the_site_has_the_whole_height(sway, site, "browse-sway-one-page")

        assert browser.open(SECOND_PAGE) == "handed over"
        windows = sway.wait_windows(lambda ws: any(w["name"] == "two" and w["visible"] for w in ws))
        shown = [w for w in windows if w["visible"]]
        assert [_class(w) for w in shown if w.get("shell") == "xwayland"] == ["pas-a-pas"]
        [page] = [w for w in shown if w.get("shell") == "xdg_shell"]
        assert page["name"] == "two" and page["rect"]["x"] == guide["rect"]["width"]
        assert page["parent_layout"] == "stacked"  # the older page is behind, not a third column
        _assert_the_site_has_the_whole_height(sway, page, "browse-sway-second-page")

        sway.x11_window("intruder")  # any other program's window
        # No event to wait on: for 10 s the tree must never keep an intruder window.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [w for w in sway.windows() if _class(w) == "intruder"]
        assert sway.msg("-t", "get_binding_modes") == ["default"]
        assert sway.msg("-t", "get_bar_config") == []
    finally:
        browser.wipe()
    assert browser.is_empty()


def _assert_the_screen_shows_the_guide_left_and_the_site_right(sway, split_px: int) -> None:
    """The pixels, not only the tree: the guide's colour left of the split, the site's right."""
    if not shutil.which("grim"):
        pytest.skip("grim is not installed (apt-get install grim)")
    from PIL import Image

    deadline = time.monotonic() + BROWSER_WAIT_S
    while True:
        with Image.open(sway.screenshot("browse-sway-guide-and-site")) as shot:
            image = shot.convert("RGB")
        left = image.getpixel((split_px // 2, image.height - 20))
        right = image.getpixel((split_px + (image.width - split_px) // 2, image.height - 20))
        if (left, right) == ((0, 90, 80), (250, 230, 120)) or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # the pages paint a moment after their windows are placed
    assert (left, right) == ((0, 90, 80), (250, 230, 120))


def _assert_the_site_has_the_whole_height(sway, window: dict, name: str) -> None:
    """No title row above the site: sway draws one per page of a stacked column (« one »,
    « two »), text a visitor has no use for, taking the site's height. The tree says where
    the page's surface is; the screenshot is for a person to look at (the pixels at the top
    are Chromium's own « --no-sandbox » bar here: the tests run it as root)."""
    output = sway.msg("-t", "get_outputs")[0]["rect"]
    [shown] = [w for w in sway.windows() if w["id"] == window["id"]]
    assert (shown["rect"]["y"], shown["rect"]["height"]) == (0, output["height"]), shown["rect"]
    assert shown["deco_rect"]["height"] == 0, shown["deco_rect"]
    if shutil.which("grim"):
        sway.screenshot(name)


def test_the_kiosks_page_for_a_refused_address_opens_as_an_app_window_in_the_site_column(sway, site_server):
    """Under sway, the guard's replacement page must be an --app window (app_id chrome-…), not
    a normal Chromium window with an address bar (app_id chromium)."""
    from kiosk.browser.guard import page_url

    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    browser = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             guard_extra=(f"{site_server.base}/hop",),
                             environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    try:
        browser.start(f"{site_server.base}/hop")  # goes by itself to /ping/elsewhere
        assert browser.guard is not None and browser.guard.wait_replaced(1, BROWSER_WAIT_S)
        windows = sway.wait_windows(lambda ws: any(w["visible"] and w.get("shell") == "xdg_shell"
                                                   and "borne" in (w.get("name") or "") for w in ws))
        [page] = [w for w in windows if w["visible"] and w.get("shell") == "xdg_shell"]
        assert _right_column_turns(sway, "browse-sway-blocked-page", page["rect"]["x"], (255, 255, 255))
        assert page["app_id"].startswith("chrome-"), page["app_id"]  # an app window: no address bar
        assert page["rect"]["x"] > 0  # in the site column, right of the guide
        assert any(p.startswith(page_url()) for p in browser.guard.pages() or [])
    finally:
        browser.wipe()
    assert browser.is_empty()


def _right_column_turns(sway, name: str, split_px: int, colour: tuple[int, int, int]) -> bool:
    """The site column shows colour (the page has painted) within the wait; screenshot kept."""
    from PIL import Image

    deadline = time.monotonic() + BROWSER_WAIT_S
    while time.monotonic() < deadline:
        with Image.open(sway.screenshot(name)) as shot:
            image = shot.convert("RGB")
        if image.getpixel((split_px + (image.width - split_px) // 2, image.height - 20)) == colour:
            return True
        time.sleep(0.5)
    return False


def test_a_browser_started_ahead_has_no_window_until_the_first_site_is_handed_to_it(sway, site_server):
    """At reset the next visitor's browser starts with no window: the guide keeps the whole
    screen; the first site is handed to that same browser and takes the site column; if
    the site's window is closed, the watcher says so (« Rouvrir la page ») though the
    windowless browser is still running, and the page reopens in it."""
    from kiosk.browser.service import BrowserService

    sway.x11_window("pas-a-pas", GUIDE_PAGE)
    sway.wait_windows(lambda ws: [_class(w) for w in ws] == ["pas-a-pas"])
    output = sway.msg("-t", "get_outputs")[0]["rect"]
    session = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             guard_extra=(site_server.base,),
                             environ={"PATH": "/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    service = BrowserService(session, extra=(site_server.base,), watch_interval_s=0.2)
    reports = []
    service.add_listener(reports.append)
    site = f"{site_server.base}/ping/one"
    try:
        service.prestart()
        deadline = time.monotonic() + BROWSER_WAIT_S
        while not (session.prestarted and session.guard.pages(5) == []) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session.prestarted
        ahead_pid = session.pid
        time.sleep(2)  # a window would have been placed by now
        [guide] = sway.windows()
        assert _class(guide) == "pas-a-pas" and guide["rect"]["width"] == output["width"]

        assert service.submit(site)
        assert site_server.wait_report() == "one"
        sway.wait_windows(lambda ws: any(w.get("app_id") and w["visible"] for w in ws))
        assert [(r.status, r.detail) for r in reports] == [("open", "handed over")]
        assert session.pid == ahead_pid  # the browser started ahead took the page
        windows = sway.wait_windows(lambda ws: len(ws) == 2)
        guide, page = sorted(windows, key=lambda w: w["rect"]["x"])
        assert abs(page["rect"]["width"] - 0.6 * output["width"]) <= 2 and page["app_id"].startswith("chrome-")

        # The watcher must have seen the site's page once before its window closes (a
        # visitor does not close it within the same fraction of a second it opened in).
        deadline = time.monotonic() + BROWSER_WAIT_S
        while not session._page_seen and time.monotonic() < deadline:
            time.sleep(0.1)
        sway.msg('[app_id="^chrom"]', "kill")  # the site's window closes
        deadline = time.monotonic() + BROWSER_WAIT_S
        while len(reports) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reports[-1].status == "crashed" and session.running()
        assert service.reopen()
        assert site_server.wait_report() == "one"
        sway.wait_windows(lambda ws: any(w.get("app_id") and w["visible"] for w in ws))
        deadline = time.monotonic() + BROWSER_WAIT_S
        while reports[-1].status != "open" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session.pid == ahead_pid and reports[-1].status == "open"
    finally:
        service.close()
    assert session.is_empty()


def test_the_browsers_own_pages_and_what_it_asks_sites_for_are_in_french(sway):
    """Chromium on Linux takes its language from LANGUAGE (not --lang): without it, on a
    kiosk whose system locale is C.UTF-8, its error page read « This site can't be reached »
    beside a French guide (seen under sway, 2026-12-06)."""
    if not Path("/usr/lib/chromium/locales/fr.pak").exists():
        pytest.skip("chromium-l10n is not installed (apt-get install chromium-l10n)")
    browser = BrowserSession("/usr/bin/chromium", sway.base / "b", extra_flags=ROOT_FLAGS,
                             environ={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "WAYLAND_DISPLAY": "wayland-1",
                                      "XDG_RUNTIME_DIR": str(sway.runtime)})
    try:
        browser.start("data:text/html,<script>document.title = 'langues ' + navigator.languages</script>")
        windows = sway.wait_windows(lambda ws: any(w["name"].startswith("langues ") for w in ws if w.get("app_id")))
        [site] = [w for w in windows if w.get("app_id")]
        assert site["name"].split()[1].split(",")[0] in ("fr", "fr-FR"), site["name"]
    finally:
        browser.wipe()
