"""What makes a label re-render its text texture (issue 11).

On Mesa's software renderer, re-rendering text into the texture a label already shows
(same size: Kivy reuses it and uploads into it) stalls the UI thread for 0.1–0.6 s while
the renderer still reads that texture; a render into a new texture costs about 0.1 ms
(docs/FIELD_NOTES.md). So: a colour or disabled change must not re-render at all (the
text is rendered white and tinted by the canvas), and a text change renders into a new
texture.
"""

from __future__ import annotations

import pytest

from kiosk.services import Services


@pytest.fixture
def kiosk(make_kiosk, help_desk):
    return make_kiosk(Services(printer=None, helpcall=help_desk))


def renders(k, widget, change) -> list:
    """Change the widget, let frames pass; the core label's renders that followed."""
    k.frames(2)
    core = widget._label
    done = []
    original = core.render

    def counting(real=False):
        done.append(real)
        return original(real)

    core.render = counting
    try:
        change()
        k.frames(3)
    finally:
        del core.render
    return done


def button(k, name="next_button"):
    return k.app.root_widget.ids.sm.get_screen("step").ids[name]


def open_a_step(k):
    k.tap_at(640, 300)
    k.press("Internet et e-mail")
    k.press("Créer une adresse e-mail")


def test_disabling_a_button_does_not_re_render_its_text(kiosk):
    k = kiosk
    open_a_step(k)
    b = button(k)
    assert not b.disabled
    texture = b.texture
    assert renders(k, b, lambda: setattr(b, "disabled", True)) == []
    assert b.texture is texture
    assert renders(k, b, lambda: setattr(b, "disabled", False)) == []


def test_a_disabled_button_is_drawn_in_its_disabled_colour(kiosk):
    from screens.widgets import rgba
    k = kiosk
    open_a_step(k)
    b = button(k, "previous_button")
    assert list(b.text_tint) == rgba("on_secondary")
    b.disabled = True
    k.frames(2)
    assert list(b.text_tint) == rgba("muted_text")


def test_a_colour_change_does_not_re_render_the_text(kiosk):
    k = kiosk
    open_a_step(k)
    b = button(k, "previous_button")
    assert renders(k, b, lambda: setattr(b, "role", "primary")) == []
    assert list(b.text_tint) == list(b.text_color)


def test_new_text_renders_into_a_new_texture(kiosk):
    k = kiosk
    open_a_step(k)
    label = k.app.root_widget.ids.sm.get_screen("step").ids.progress_text
    before = label.texture
    k.press("Suivant")
    assert "Étape 2" in label.text
    assert label.texture is not before  # the one on screen was not written into


def test_printing_redraws_the_status_not_the_summary_above_it(make_kiosk, help_desk, tmp_path):
    """A print starting, then done, rebuilt the whole summary and its QR code on the tap."""
    from hardware.printer import PrintService
    from tests.screens.conftest import make_config
    from tests.screens.test_printing import walk_ants_to_summary
    cfg = make_config(tmp_path)
    k = make_kiosk(Services(printer=PrintService(cfg), helpcall=help_desk), cfg=cfg)
    walk_ants_to_summary(k)
    content = k.app.root_widget.ids.sm.get_screen("summary").ids.content
    shown = list(content.children)
    k.press("Imprimer mon récapitulatif")
    assert k.wait_for(lambda: k.machine.visit.print_status == "done", 15)
    assert "N'oubliez pas de le prendre" in k.texts()
    assert list(content.children) == shown


def test_a_qr_code_is_made_once_per_url(kiosk, monkeypatch):
    from screens.widgets import QRCode
    kiosk.frames(1)  # a running app: the kv rules are loaded
    made = []
    original = QRCode._make
    monkeypatch.setattr(QRCode, "_make", staticmethod(lambda url: made.append(url) or original(url)))
    url = "https://exemple.fr/une-demarche-de-test"
    first, second = QRCode(data=url), QRCode(data=url)
    assert made == [url]
    assert first.texture is second.texture and first.texture.size[0] > 20
