"""The conseiller mode in the real KioskApp, in a real offscreen window, with real touches."""

import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import Config, KioskSection
from kiosk.pin import PinGate, hash_pin
from kiosk.stats import Stats
from tests.window_driver import WindowDriver

pytestmark = pytest.mark.screen

CHEAP = {"n": 16, "r": 8, "p": 1}


class Driver(WindowDriver):
    def touch_down(self, x, y):
        from kivy.tests.common import UnitTestTouch
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(1)
        return touch

    def tap(self, widget):
        from kivy.uix.scrollview import ScrollView
        node = widget.parent
        while node is not None and node is not self.window and not isinstance(node, ScrollView):
            node = node.parent
        if isinstance(node, ScrollView):
            node.scroll_to(widget, padding=10, animate=False)
            self.frames(2)
        touch = self.touch_down(*widget.to_window(*widget.center))
        touch.touch_up()
        self.frames(2)

    def button(self, label, root):
        from screens.widgets import KButton
        found = [w for w in self.widgets(root) if isinstance(w, KButton) and w.label == label and not w.hidden]
        assert len(found) == 1, f"{len(found)} buttons {label!r}"
        return found[0]

    def texts(self, root):
        from kivy.uix.label import Label
        return "\n".join(w.text for w in self.widgets(root) if isinstance(w, Label) and w.opacity > 0)

    def type_pin(self, panel, digits):
        for d in digits:
            self.tap(self.button(d, panel))
        self.tap(self.button("Valider", panel))


class Sources:
    """Records what the conseiller did; a real Stats gives today's figures."""

    def __init__(self, stats):
        from kiosk.conseiller import ContentReview
        from screens.conseiller import CallLine
        self.stats = stats
        self.acknowledged, self.restarted, self.left, self.printed = [], [], [], []
        self.calls = [CallLine("call-7", 7, "Créer une adresse e-mail", "3", 240)]
        self.review = ContentReview()
        self.reaches_nobody = False

    def as_sources(self):
        from screens.conseiller import ConseillerSources
        return ConseillerSources(
            pending_calls=lambda: list(self.calls), acknowledge=self.acknowledged.append,
            help_reaches_nobody=lambda: self.reaches_nobody,
            printer_status=lambda: ("OK", "Papier présent"), test_print=self.test_print,
            today=self.stats.today, restart=lambda: self.restarted.append(True),
            leave_to_desktop=lambda: self.left.append(True), content_review=lambda: self.review)

    def test_print(self, done):
        self.printed.append(threading.current_thread().name)
        done(True)


@pytest.fixture
def kiosk(window, small_pack, fake_clock, tmp_path):
    from kiosk.app import KioskApp
    from kiosk.services import Services
    from screens.conseiller import ConseillerCorner, ConseillerPanel

    when = datetime(2026, 11, 20, 10).timestamp()
    stats = Stats(tmp_path / "stats.sqlite3", clock=lambda: when)
    for _ in range(3):
        stats.session_started()
    stats.help_called()
    sources = Sources(stats)
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path))
    app = KioskApp(cfg, small_pack, services=Services(stats=stats), clock=fake_clock)
    app._run_prepare()
    driver = Driver(app, window)
    root = app.root_widget
    gate = PinGate(hash_pin("1111", **CHEAP), hash_pin("9999", **CHEAP), attempts=3, lockout_s=300, clock=fake_clock)
    corner = ConseillerCorner(hold_s=0.05)
    root.add_widget(corner)
    panel = ConseillerPanel(gate=gate, sources=sources.as_sources(), clock=fake_clock)
    corner.bind(on_long_press=lambda *_: panel.open_in(root))
    driver.frames(3)
    yield driver, corner, panel, sources, fake_clock
    panel.close()
    app.shutdown()


def open_pad(driver, corner):
    """Hold a finger on the corner until the pad opens, then lift it."""
    touch = driver.touch_down(*corner.to_window(*corner.center))
    opened = driver.wait_for(lambda: any(type(w).__name__ == "ConseillerPanel" for w in driver.widgets()))
    touch.touch_up()
    driver.frames(2)
    assert opened


def log_in(driver, corner, panel, pin, role):
    open_pad(driver, corner)
    driver.type_pin(panel, pin)
    assert driver.wait_for(lambda: panel.role == role)


def test_a_short_tap_in_the_corner_does_nothing_a_long_press_opens_the_pad(kiosk):
    driver, corner, panel, _, _ = kiosk
    corner.hold_s = 30
    driver.tap(corner)
    assert panel.parent is None
    corner.hold_s = 0.05
    open_pad(driver, corner)
    assert panel.parent is not None
    assert "Tapez votre code." in driver.texts(panel)


def test_taps_in_the_corner_open_the_pad_without_holding(kiosk):
    """For a conseiller who cannot hold a finger still for 3 s: separate short taps in the
    corner open the pad too; fewer taps, or taps too far apart in time, do not."""
    driver, corner, panel, _, clock = kiosk
    corner.hold_s = 30  # no tap below may count as a hold
    for _ in range(corner.taps_to_open - 1):
        driver.tap(corner)
    assert panel.parent is None
    time.sleep(corner.taps_window_s + 0.1)  # the taps so far are too old now
    driver.tap(corner)
    assert panel.parent is None
    for _ in range(corner.taps_to_open - 1):
        driver.tap(corner)
    assert driver.wait_for(lambda: panel.parent is not None)
    assert "Tapez votre code." in driver.texts(panel)


def test_the_corner_lies_over_no_button(kiosk):
    from screens.widgets import KButton
    driver, corner, _, _, _ = kiosk
    buttons = [w for w in driver.widgets() if isinstance(w, KButton) and w.get_root_window() is not None]
    cx, cy = corner.to_window(*corner.pos)
    corners = [(cx, cy), (cx + corner.width, cy + corner.height), corner.to_window(*corner.center)]
    for b in buttons:
        for x, y in corners:
            assert not b.collide_point(*b.to_widget(x, y)), b.label


def test_a_wrong_pin_says_so_and_the_right_one_shows_the_menu(kiosk):
    driver, corner, panel, _, _ = kiosk
    open_pad(driver, corner)
    driver.type_pin(panel, "1234")
    assert driver.wait_for(lambda: "Code faux" in driver.texts(panel))
    assert panel.pad.dots == ""  # the typed PIN is gone
    driver.type_pin(panel, "1111")
    assert driver.wait_for(lambda: "Appels en attente" in driver.texts(panel))
    texts = driver.texts(panel)
    assert "Appel 7\u00a0: Créer une adresse e-mail, étape 3. Depuis 4 min." in texts
    assert "Visites\u00a0: 3" in texts and "Appels à un conseiller\u00a0: 1" in texts
    assert "Papier présent" in texts
    assert panel.role == "conseiller"
    assert panel.menu.ids.leave_button.hidden  # only a technician may leave to the desktop


def test_three_wrong_pins_lock_the_pad(kiosk):
    driver, corner, panel, _, clock = kiosk
    open_pad(driver, corner)
    for _ in range(3):
        driver.type_pin(panel, "0000")
        assert driver.wait_for(lambda: not panel._checking)
    assert "Trop d'essais\u00a0: réessayez dans 5 minutes" in driver.texts(panel)
    assert panel.pad.ids.digit_keys.disabled
    driver.tap(driver.button("1", panel))
    assert panel.pad.dots == ""


def test_the_last_try_is_said_in_the_singular(kiosk):
    driver, corner, panel, _, _ = kiosk
    open_pad(driver, corner)
    driver.type_pin(panel, "0000")
    assert driver.wait_for(lambda: "Code faux. Encore 2 essais." in driver.texts(panel))
    driver.type_pin(panel, "0000")
    assert driver.wait_for(lambda: "Code faux. Encore 1 essai." in driver.texts(panel))
    assert "essais." not in driver.texts(panel)


def test_acknowledge_and_test_print(kiosk):
    driver, corner, panel, sources, _ = kiosk
    log_in(driver, corner, panel, "1111", "conseiller")
    driver.tap(driver.button("J'y vais", panel))
    assert sources.acknowledged == ["call-7"]
    driver.tap(driver.button("Imprimer une page de test", panel))
    assert driver.wait_for(lambda: "Page de test imprimée." in driver.texts(panel))
    assert sources.printed == ["test-print"]  # never on the UI thread


def test_technician_leaves_to_the_desktop_after_confirming(kiosk):
    driver, corner, panel, sources, _ = kiosk
    log_in(driver, corner, panel, "9999", "technician")
    driver.tap(driver.button("Quitter vers le bureau", panel))
    assert "Elle ne revient pas seule" in driver.texts(panel)
    driver.tap(driver.button("Non", panel))
    assert sources.left == [] and panel.parent is not None
    driver.tap(driver.button("Quitter vers le bureau", panel))
    driver.tap(driver.button("Oui", panel))
    assert sources.left == [True] and panel.parent is None


def test_restart_after_confirming(kiosk):
    driver, corner, panel, sources, _ = kiosk
    log_in(driver, corner, panel, "1111", "conseiller")
    driver.tap(driver.button("Redémarrer", panel))
    driver.tap(driver.button("Oui", panel))
    assert sources.restarted == [True] and panel.parent is None


def test_a_forgotten_menu_closes_itself(kiosk):
    driver, corner, panel, _, clock = kiosk
    log_in(driver, corner, panel, "1111", "conseiller")
    clock.advance(panel.idle_close_s)
    assert driver.wait_for(lambda: panel.parent is None, timeout_s=5)
    assert panel.role is None


def test_the_menu_shows_the_content_date_and_the_procedures_due_for_review(kiosk):
    from datetime import date
    from types import SimpleNamespace as P

    from kiosk.conseiller import content_review
    driver, corner, panel, sources, _ = kiosk
    procedures = [P(id="a", title="Demander le RSA", checked_on="2026-12-02"),
                  P(id="b", title="Demander l'ASPA", checked_on="2025-06-01"),
                  P(id="c", title="Payer une amende", checked_on=None)]
    sources.review = content_review(procedures, date(2026, 12, 2))
    log_in(driver, corner, panel, "1111", "conseiller")
    texts = driver.texts(panel)
    assert "3 démarches. Date du contenu\u00a0: 2 décembre 2026" in texts
    assert "À revoir, vérifiées il y a plus de 12 mois\u00a0: 2" in texts
    assert "Payer une amende\u00a0: jamais vérifiée\nDemander l'ASPA\u00a0: vérifiée le 1er juin 2025" in texts
    assert "Demander le RSA" not in texts
    panel.menu.ids.scroller.scroll_to(panel.menu.ids.content_review, animate=False)
    driver.frames(3)
    from pathlib import Path
    shots = Path(__file__).resolve().parents[2] / "out" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    Path(driver.window.screenshot(str(shots / "conseiller-content-review.png"))).replace(
        shots / "conseiller-content-review.png")  # for people to look at


def test_the_menu_says_when_a_visitors_call_reaches_nobody(kiosk):
    driver, corner, panel, sources, _ = kiosk
    warning = "personne n'est prévenu"
    log_in(driver, corner, panel, "1111", "conseiller")
    assert warning not in driver.texts(panel)
    sources.reaches_nobody = True
    panel.show_menu()
    driver.frames(2)
    assert warning in driver.texts(panel)
    shots = Path(__file__).resolve().parents[2] / "out" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    Path(driver.window.screenshot(str(shots / "conseiller-calls-reach-nobody.png"))).replace(
        shots / "conseiller-calls-reach-nobody.png")
