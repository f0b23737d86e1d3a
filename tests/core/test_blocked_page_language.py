"""The kiosk's page for a refused address is the one of the visit's language, chosen when
the address is refused (no browser here: the guard is fed one DevTools event by hand)."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from kiosk.browser.guard import PAGES_DIR, PageGuard, page_for, page_url
from kiosk.browser.service import BrowserService
from kiosk.browser.session import BrowserSession
from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.services import Services
from tests.speech_support import RecordingSpeaker

ARABIC_TITLE = "هذا الموقع لا يفتح على هذه الشاشة"
ALLOWED = {"type": "page", "targetId": "t1", "url": "https://www.impots.gouv.fr/accueil"}
REFUSED = {**ALLOWED, "url": "https://elsewhere.example.com/"}
BACK = "#https%3A%2F%2Fwww.impots.gouv.fr%2F"  # the way back: the official site's origin


@pytest.fixture
def controller(tmp_path, real_pack, fake_clock, help_desk):
    root = Path(tempfile.mkdtemp(prefix="pap-", dir="/tmp"))
    session = BrowserSession("/bin/false", root / "browser", headless=True, guard_extra=())
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path), printer=PrinterSection(connection="none"))
    c = KioskController(cfg, real_pack, Services(helpcall=help_desk, browser=BrowserService(session)),
                        clock=fake_clock, speaker=RecordingSpeaker())
    c.start()
    yield c
    c.close()
    shutil.rmtree(root, ignore_errors=True)


def _page_opened_for_a_refused_address(session: BrowserSession) -> str:
    """What the guard opens in place of a refused page, built as the session builds it."""
    opened: list[str] = []
    guard = PageGuard(io.BytesIO(), io.BytesIO(), extra=(), open_page=opened.append,
                      language=session.page_language)
    guard._check(ALLOWED)
    guard._check(REFUSED)
    [page] = opened
    assert guard.replaced == 1
    return page


def test_an_arabic_visit_gets_the_arabic_page_right_to_left(controller):
    session = controller.services.browser.session
    assert _page_opened_for_a_refused_address(session) == page_url("fr") + BACK  # [kiosk] language
    controller.start_session()
    controller.set_language("ar")
    page = _page_opened_for_a_refused_address(session)
    assert page == page_url("ar") + BACK
    path = Path(unquote(urlsplit(page).path))
    assert path == PAGES_DIR / "blocked-ar.html"
    text = path.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in text
    assert f"<title>{ARABIC_TITLE}</title>" in text and f"<h1>{ARABIC_TITLE}</h1>" in text


def test_a_language_with_no_page_gets_the_french_one(tmp_path):
    shutil.copy(PAGES_DIR / "blocked-fr.html", tmp_path)
    assert page_for("ar", tmp_path) == page_url("fr", tmp_path)
    assert page_for("xx") == page_url("fr")
    assert page_for("tr") == page_url("tr")


def test_a_kiosk_page_left_open_in_another_language_is_not_replaced():
    opened: list[str] = []
    guard = PageGuard(io.BytesIO(), io.BytesIO(), open_page=opened.append, language=lambda: "ar")
    guard._check({**ALLOWED, "url": page_url("fr") + BACK})  # shown before the switch to Arabic
    assert opened == [] and guard.replaced == 0
