"""The step screen with guided browsing: the page beside the guide closed (« Rouvrir la
page »), or the browser cannot start here (the site's QR code). Real window, real taps;
the "browser" is a real program that ends at once (a crash) or one that is not there."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import pytest

from kiosk.browser.service import BrowserService
from kiosk.browser.session import BrowserSession
from kiosk.services import Services

SITE = "https://www.impots.gouv.fr/accueil"


def _pack_with_site(pack):
    proc = next(p for p in pack.procedures.values() if len(p.steps) >= 3 and p.steps[0].kind == "info")
    steps = (dataclasses.replace(proc.steps[0], site=SITE), *proc.steps[1:])
    proc = dataclasses.replace(proc, steps=steps, _by_id={})
    return dataclasses.replace(pack, procedures={**pack.procedures, proc.id: proc}), proc.id


@pytest.fixture
def root():
    folder = Path(tempfile.mkdtemp(prefix="pap-", dir="/tmp"))
    yield folder / "browser"
    shutil.rmtree(folder, ignore_errors=True)


def _kiosk(make_kiosk, real_pack, help_desk, root, program):
    pack, proc_id = _pack_with_site(real_pack)
    # headless: no Wayland display is needed to run these stand-ins (the display check has
    # its own test in tests/ops/test_doctor_browsing.py).
    browser = BrowserService(BrowserSession(program, root, headless=True), watch_interval_s=0.1)
    k = make_kiosk(Services(printer=None, helpcall=help_desk, browser=browser), pack=pack)
    k.app.controller.start_session()
    k.app.controller.open_procedure(proc_id)
    return k


def test_a_closed_page_offers_to_reopen_it_and_the_guide_stays(make_kiosk, real_pack, help_desk, root):
    k = _kiosk(make_kiosk, real_pack, help_desk, root, "/bin/false")  # starts, then ends by itself
    session = k.app.controller.services.browser.session
    assert k.wait_for(lambda: "Rouvrir la page" in k.texts(), timeout_s=10)
    assert "La page du site s'est fermée. Vous gardez votre place dans le guide." in k.texts()
    step_id = k.machine.visit.step_id
    k.screenshot("step-site-closed")
    first_pid = session.pid
    k.press("Rouvrir la page")
    assert k.wait_for(lambda: session.pid not in (None, first_pid), timeout_s=10)  # started again
    assert k.machine.visit.step_id == step_id


def test_without_a_browser_the_step_shows_the_site_as_a_qr_code(make_kiosk, real_pack, help_desk, root):
    k = _kiosk(make_kiosk, real_pack, help_desk, root, "/nonexistent/chromium")
    assert k.wait_for(lambda: "ne s'ouvre pas sur cette borne" in k.texts(), timeout_s=10)
    k.screenshot("step-site-unavailable")
    k.press("Suivant")
    assert k.machine.visit.history  # the visit goes on


@pytest.fixture
def staying_browser(root):
    """A stand-in browser that stays up (as Chromium does) and notes the page it was given."""
    root.parent.mkdir(parents=True, exist_ok=True)
    pages = root.parent / "pages"
    program = root.parent / "browser.sh"
    program.write_text(f'#!/bin/sh\nfor a; do last="$a"; done\necho "$last" >> {pages}\nexec sleep 60\n')
    program.chmod(0o755)
    return program, pages


def test_an_open_site_says_where_it_is_how_to_type_and_that_documents_are_not_kept(
        make_kiosk, real_pack, help_desk, root, staying_browser):
    program, pages = staying_browser
    k = _kiosk(make_kiosk, real_pack, help_desk, root, str(program))
    assert k.wait_for(lambda: k.app.controller.browser_status == "open", timeout_s=10)
    texts = k.texts()
    assert "Le site s'ouvre à droite de l'écran" in texts, texts
    assert "ne s'enregistrent pas sur cette borne" in texts, texts
    assert "ne s'enregistrent pas sur cette borne" in k.app.controller.screen_text()  # read aloud too
    assert pages.read_text().split() == [SITE]
    k.screenshot("step-site-beside")
    k.press("Suivant")  # a step without a site: the notes go
    assert k.wait_for(lambda: "Le site s'ouvre à droite" not in k.texts())


def _walk_to_summary(k) -> None:
    from tests.core.test_controller import walk_to_summary
    walk_to_summary(k.app.controller, "impots-declarer-ses-revenus")
    assert k.wait_for(lambda: "Ouvrir le site" in k.texts(), timeout_s=10)


def test_the_summary_opens_the_site_on_the_visitor_path_beside_it(make_kiosk, help_desk, root, staying_browser):
    program, pages = staying_browser
    browser = BrowserService(BrowserSession(str(program), root, headless=True), watch_interval_s=0.1)
    k = make_kiosk(Services(printer=None, helpcall=help_desk, browser=browser))
    _walk_to_summary(k)
    url = k.app.controller.summary_site()
    assert url is not None and url.startswith("https://www.impots.gouv.fr")
    pages.unlink(missing_ok=True)  # the steps' own site opened on the way
    k.screenshot("summary-open-site")
    k.press("Ouvrir le site")
    assert k.wait_for(lambda: pages.exists() and pages.read_text().split() == [url], timeout_s=10)
    assert k.machine.state.name == "SUMMARY"


def test_without_guided_browsing_the_summary_has_no_open_site_button(make_kiosk, help_desk):
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    from tests.core.test_controller import walk_to_summary
    walk_to_summary(k.app.controller, "impots-declarer-ses-revenus")
    assert k.wait_for(lambda: "Imprimer" in k.texts())
    assert "Ouvrir le site" not in k.texts() and k.app.controller.summary_site() is None
