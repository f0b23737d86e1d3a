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



def test_in_the_guide_column_the_step_shows_its_own_text_beside_the_open_site(
        make_kiosk, help_desk, root, staying_browser, window, request):
    """Under sway the guide is a 512×800 column. The notes of an open site (« Le site s'ouvre à
    droite… », « Les documents du site ne s'enregistrent pas… ») were fixed under the step's
    text: nine lines there, they took all of the column's height and the step's own text (its
    title, « Sur impots.gouv.fr, en haut à droite, touchez… ») had 0 px (seen through
    scripts/run.sh under sway). The step's title and its first lines must show, the notes after."""
    from tests.screens.test_visitor_truth_2 import in_window_of
    if not in_window_of((512, 800), window, request):
        return
    k = _at_the_connexion_step(make_kiosk, help_desk, root, staying_browser)
    k.screenshot("step-site-beside-512")
    _assert_the_step_text_shows_and_the_notes_follow(k)


def test_a_step_shown_wide_moves_the_site_notes_when_the_column_narrows_the_window(
        make_kiosk, help_desk, root, staying_browser):
    """The same step shown on the whole screen first: under sway the guide's window narrows
    to the column a moment later, once the site's window is there."""
    from kivy.core.window import Window

    k = _at_the_connexion_step(make_kiosk, help_desk, root, staying_browser)
    assert Window.width > Window.height
    before = Window.size
    try:
        Window.size = (512, 800)  # laid out at that size (drawn only within the first: no screenshot)
        k.frames(4)
        _assert_the_step_text_shows_and_the_notes_follow(k)
    finally:
        Window.size = before
        k.frames(3)


def _at_the_connexion_step(make_kiosk, help_desk, root, staying_browser):
    program, _pages = staying_browser
    browser = BrowserService(BrowserSession(str(program), root, headless=True), watch_interval_s=0.1)
    k = make_kiosk(Services(printer=None, helpcall=help_desk, browser=browser))
    c = k.app.controller
    c.start_session()
    c.open_procedure("impots-declarer-ses-revenus")
    for _ in range(8):  # intro, papiers, espace (« Oui »: the first answer), site, connexion
        if k.machine.step.id == "connexion":
            break
        c.choose(0) if k.machine.step.kind == "question" else c.next()
    assert k.machine.step.id == "connexion"
    assert k.wait_for(lambda: c.browser_status == "open", timeout_s=10)
    k.frames(4)
    return k


def _assert_the_step_text_shows_and_the_notes_follow(k) -> None:
    scroller = k.app.root_widget.ids.sm.get_screen("step").ids.scroller
    assert scroller.height >= 3 * k.app.body_px * 1.25, scroller.height  # three lines at least
    shown = _texts_in_view(k, scroller)
    assert "Ouvrir la déclaration" in shown, shown
    assert "Sur impots.gouv.fr, en haut à droite" in shown, shown
    assert "Le site s'ouvre à droite de l'écran" in k.texts()  # further down: it scrolls


def _texts_in_view(k, scroller) -> str:
    """The texts of the labels whose top line is inside the scroller's view."""
    from kivy.uix.label import Label
    top, bottom = scroller.to_window(scroller.x, scroller.top)[1], scroller.to_window(scroller.x, scroller.y)[1]
    found = []
    for w in scroller.walk(restrict=True):
        if isinstance(w, Label) and w.text:
            line_top = w.to_window(w.x, w.top)[1]
            if bottom <= line_top - k.app.body_px <= top:
                found.append(w.text)
    return "\n".join(found)
