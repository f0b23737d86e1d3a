"""The controller tells the guide's column width (kiosk/browser/columns.py) the visit's text
size on every change, including the reset to 1× between visitors, and that a site's window is
coming when the browser reports a page open. The real sway side is tests/browser/
test_columns_sway.py; here a stand-in records what it was told (no compositor needed)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from kiosk.browser.service import BrowserReport, BrowserService
from kiosk.browser.session import BrowserSession
from kiosk.config import Config, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.services import Services
from tests.speech_support import RecordingSpeaker


class RecordingColumns:
    def __init__(self):
        self.told: list = []

    def follow(self, index: int) -> None:
        if not self.told or self.told[-1] != index:
            self.told.append(index)

    def site_shown(self) -> None:
        self.told.append("site")

    def close(self) -> None:
        self.told.append("closed")


@pytest.fixture
def controller(tmp_path, real_pack, fake_clock, help_desk):
    root = Path(tempfile.mkdtemp(prefix="pap-", dir="/tmp"))
    session = BrowserSession("/bin/false", root / "browser", headless=True, guard_extra=())
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path), printer=PrinterSection(connection="none"))
    browser = BrowserService(session, columns=RecordingColumns())
    c = KioskController(cfg, real_pack, Services(helpcall=help_desk, browser=browser),
                        clock=fake_clock, speaker=RecordingSpeaker(), post=lambda fn: fn())
    c.start()
    yield c
    c.close()
    shutil.rmtree(root, ignore_errors=True)


def test_the_text_size_and_an_open_site_reach_the_column_width(controller):
    columns = controller.services.browser.columns
    controller.start_session()
    controller.cycle_text_size()
    controller.cycle_text_size()
    controller.open_procedure("impots-declarer-ses-revenus")
    controller._site_asked = "https://www.impots.gouv.fr/"
    controller._on_browser(BrowserReport("open", "https://www.impots.gouv.fr/"))
    controller.end_session("visitor erased")  # « Terminer et effacer »
    assert columns.told[:4] == [0, 1, 2, "site"], columns.told
    assert columns.told[-1] == 0, columns.told  # the next visitor starts at 1× and 40 %
    controller.close()
    assert columns.told[-1] == "closed"
