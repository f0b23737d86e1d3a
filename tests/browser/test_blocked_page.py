"""The kiosk's own page (« Ce site ne s'ouvre pas sur cette borne ») for an address outside
the allow-list, instead of Chromium's error page: a real Chromium, the kiosk's guard on its
DevTools pipe (no port), pages on 127.0.0.1."""

from __future__ import annotations

import html
import time

import pytest

from kiosk.browser.guard import PAGES_DIR, page_url, pages_filter, write_pages
from kiosk.browser.policy import build_policy
from kiosk.browser.session import BrowserSession
from kiosk.i18n import Catalog
from kiosk.languages import BY_CODE, CODES
from tests.browser.conftest import BROWSER_WAIT_S, ROOT_FLAGS, managed_test_policy

GO_PAGE = "go"


def test_the_shipped_pages_are_the_ones_the_catalogs_make(tmp_path):
    made = write_pages(tmp_path)
    assert [path.name for path in made] == [f"blocked-{code}.html" for code in CODES]
    for path in made:
        assert path.read_bytes() == (PAGES_DIR / path.name).read_bytes(), "run kiosk.browser.guard.write_pages()"
    assert sorted(p.name for p in PAGES_DIR.glob("blocked-*.html")) == sorted(p.name for p in made)
    for path in made:
        code, text = path.stem.removeprefix("blocked-"), path.read_text(encoding="utf-8")
        title = html.escape(Catalog(code)("browse.blocked_title"))
        assert f'lang="{code}" dir="{BY_CODE[code].direction}"' in text and f"<h1>{title}</h1>" in text
    assert "Ce site ne s&#x27;ouvre pas sur cette borne" in (tmp_path / "blocked-fr.html").read_text(encoding="utf-8")
    assert len({Catalog(code)("browse.blocked_title") for code in CODES}) == len(CODES)  # none falls back


def test_the_policy_allows_the_kiosk_pages_folder_and_no_other_file():
    files = [e for e in build_policy()["URLAllowlist"] if e.startswith("file:")]
    assert files == [pages_filter()] and files[0].endswith("/assets/browse/")


@pytest.fixture
def policy_with_pages(site_server):
    """The kiosk's policy plus the test pages, where Chromium reads it (root only)."""
    with managed_test_policy("guard", (f"{site_server.base}/ping/ok", f"{site_server.base}/hop")) as path:
        yield path


def _shows_the_kiosk_page(guard) -> list[str]:
    """The browser's pages once the refused one is closed and the kiosk's shown (or the last
    seen after BROWSER_WAIT_S: closing a page takes a moment on a loaded machine)."""
    pages: list[str] | None = []
    deadline = time.monotonic() + BROWSER_WAIT_S
    while time.monotonic() < deadline:
        pages = guard.pages()
        if pages and any(p.startswith(page_url()) for p in pages) and not any("elsewhere" in p for p in pages):
            break
        time.sleep(0.2)
    return pages or []


def test_an_address_outside_the_allow_list_shows_the_kiosks_page(chromium, site_server, policy_with_pages,
                                                                  profile_root):
    extra = (f"{site_server.base}/ping/ok", f"{site_server.base}/hop")
    browser = BrowserSession(chromium, profile_root, headless=True, extra_flags=ROOT_FLAGS, guard_extra=extra)
    try:
        browser.start(f"{site_server.base}/hop")  # allowed; then goes to /ping/elsewhere by itself
        assert site_server.wait_report() == "hop"
        guard = browser.guard
        assert guard is not None and guard.wait_replaced(1, BROWSER_WAIT_S)
        pages = _shows_the_kiosk_page(guard)
        assert [p for p in pages if p.startswith(page_url())] and not [p for p in pages if "elsewhere" in p], pages
        # A new window (a link with target=_blank) to a refused address: replaced too.
        guard._send("Target.createTarget", {"url": f"{site_server.base}/ping/elsewhere"})
        assert guard.wait_replaced(2, BROWSER_WAIT_S)
        assert not [p for p in _shows_the_kiosk_page(guard) if "elsewhere" in p]
        assert guard.pages() is not None and f"{site_server.base}/hop" not in guard.pages()
    finally:
        browser.wipe()
    assert "/ping/elsewhere" not in site_server.requests  # refused by the policy before any request
    assert browser.is_empty()


def test_an_allowed_page_is_left_alone(chromium, site_server, policy_with_pages, profile_root):
    browser = BrowserSession(chromium, profile_root, headless=True, extra_flags=ROOT_FLAGS,
                             guard_extra=(f"{site_server.base}/ping/ok",))
    try:
        browser.start(f"{site_server.base}/ping/ok")
        assert site_server.wait_report() == "ok"
        assert browser.guard.pages() == [f"{site_server.base}/ping/ok"] and browser.guard.replaced == 0
    finally:
        browser.wipe()
