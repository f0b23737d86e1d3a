"""Issue 12, the screen parts: what a visitor sees while typing, printing and reading.

Real window, real touches; measured from widget positions and from the pixels of
screenshots (out/screenshots/), which were looked at.
"""

from __future__ import annotations

import shutil

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from kiosk.config import ASSETS_DIR, Config, DisplaySection, KioskSection, PrinterSection
from kiosk.content.loader import load_pack
from kiosk.receipt_qr import build_payload, qr_version
from kiosk.services import Services
from kiosk.session import State
from kiosk.theme import COLOURS, contrast_ratio
from tests.conftest import REPO_ROOT
from tests.screens.test_printing import walk_ants_to_summary
from tests.screens.test_walkthrough import ANTS, open_from_home, walk_ants_to_the_field

WARNING = "Ne tapez jamais votre mot de passe ici."


@pytest.fixture
def kiosk(make_kiosk, help_desk):
    return make_kiosk(Services(printer=None, helpcall=help_desk))


def in_window_of(size: tuple[int, int], window, request) -> bool:
    """True when this process's window has that size. Otherwise run this very test in a
    new process whose window is opened at that size (the offscreen window draws only
    within its first size, so screenshots would be cut), check that it passed, and
    return False: the caller stops there."""
    import os
    import subprocess
    import sys
    if tuple(window.size) == size:
        return True
    env = dict(os.environ, KIOSK_TEST_WINDOW=f"{size[0]}x{size[1]}")
    done = subprocess.run([sys.executable, "-m", "pytest", request.node.nodeid, "-q", "-x", "-p", "no:randomly",
                           "-p", "no:cacheprovider"], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-4000:]
    return False


@pytest.fixture
def sized_kiosk(make_kiosk, help_desk, window, tmp_path):
    """sized_kiosk(width, height) -> a kiosk laid out for the window's size."""

    def make(width: int, height: int):
        assert tuple(window.size) == (width, height)
        cfg = Config(kiosk=KioskSection(data_dir=tmp_path, name="Borne test", place="Médiathèque de Lens"),
                     printer=PrinterSection(),
                     display=DisplaySection(window_width_px=width, window_height_px=height))
        k = make_kiosk(Services(printer=None, helpcall=help_desk), cfg=cfg)
        k.frames(3)
        return k

    return make


def step_screen(k):
    return k.app.root_widget.ids.sm.get_screen("step")


def walk_email_to_the_field(k) -> None:
    open_from_home(k, "Internet et e-mail", "Créer une adresse e-mail")
    k.press("Suivant")
    k.press("Non, je n'en ai pas")
    for _ in range(4):
        k.press("Suivant")
    assert k.machine.step.kind == "field"


# ----- 5. the format is checked after « Suivant » or a pause, not at the 4th letter ----------
def test_format_is_checked_on_suivant_or_after_a_pause_and_optional_is_dropped_when_told(kiosk):
    k = kiosk
    walk_ants_to_the_field(k)
    step = step_screen(k)
    k.tap(step.field_input)
    k.type_text("AB12")
    assert "Ce n'est pas le bon format." not in k.texts()
    assert not k.button("Suivant").disabled
    k.press("Suivant")  # first tap: says what is wrong, and what « Suivant » will do now
    assert k.machine.step.id == "numero"
    shown = k.texts()
    assert "Ce n'est pas le bon format." in shown
    assert "Si vous touchez «\u00a0Suivant\u00a0», ce que vous avez écrit ne sera pas gardé." in shown
    k.screenshot("step-field-optional-told")
    k.type_text("C")  # typing again: the message waits for the next pause
    assert "Ce n'est pas le bon format." not in k.texts()
    k.clock.advance(1.0)
    k.frames(4)
    assert "Ce n'est pas le bon format." not in k.texts()
    k.clock.advance(0.6)
    assert k.wait_for(lambda: "Ce n'est pas le bon format." in k.texts(), 15)
    k.press("Suivant")  # told: the half-typed optional number is dropped, the visit goes on
    assert k.machine.step.id == "rendez-vous"
    assert "numero" not in k.machine.visit.fields


# ----- 6. the keyboard --------------------------------------------------------------------
def test_keyboard_types_capitals_accents_and_euro_and_ok_closes_it(kiosk):
    k = kiosk
    walk_ants_to_the_field(k)
    step = step_screen(k)
    k.tap(step.field_input)
    keyboard = step.keyboard_slot.keyboard
    text = "Éé èêëàâôîïûùçœ €Œ"
    k.type_text(text)
    assert step.field_input.text == text
    k.screenshot("keyboard-open")
    k.tap_at(*keyboard.key_center("backspace"))
    assert step.field_input.text == text[:-1]
    shown = {key[0] for row in range(1, 6) for key in keyboard.available_layouts[keyboard.layout][f"normal_{row}"]}
    assert {"Espace", "OK", "Retour\narrière"} <= shown and "Effacer" not in shown
    k.tap_at(*keyboard.key_center("OK"))
    assert k.wait_for(lambda: step.keyboard_slot.keyboard is None, 15)
    assert not step.field_input.focus and step.field_input.text == text[:-1]
    assert k.machine.visit.fields["numero"] == text[:-1]


def test_distinct_words_for_a_letter_the_search_and_the_visit(kiosk):
    k = kiosk
    k.tap_at(640, 300)
    k.frames(3)
    clear = k.button("Vider la recherche")
    assert _rendered_words(clear) == ["Vider", "la", "recherche"]  # written, not an icon alone
    t = k.app.t
    words = {t("home.search_clear"), t("summary.finish"), t("idle.erase_now"), t("help.finish_and_erase")}
    assert words == {"Vider la recherche", "Terminer et effacer mes informations"}


# ----- 7. the summary ----------------------------------------------------------------------
def test_summary_buttons_have_one_height_and_show_the_number_as_it_prints(make_kiosk, help_desk, tmp_path):
    root = tmp_path / "content"
    (root / "procedures").mkdir(parents=True)
    shutil.copy(ASSETS_DIR / "content" / "categories.yaml", root)
    text = (ASSETS_DIR / "content" / "procedures" / f"{ANTS}.yaml").read_text(encoding="utf-8")
    assert text.count("    mask: none\n") == 1
    (root / "procedures" / f"{ANTS}.yaml").write_text(text.replace("    mask: none\n", "    mask: last4\n"),
                                                     encoding="utf-8")
    k = make_kiosk(Services(printer=None, helpcall=help_desk), pack=load_pack(root))
    walk_ants_to_summary(k, "AB12CD34EF")
    summary = k.app.root_widget.ids.sm.get_screen("summary")
    shown = k.texts()
    assert "Numéro de pré-demande\u00a0: **** 34EF" in shown and "AB12CD34EF" not in shown
    ids = summary.ids
    heights = {ids.previous_button.height, ids.print_button.height, ids.finish_button.height}
    assert len(heights) == 1, heights
    k.screenshot("summary-masked-number")


# ----- 1. no printer: why, and the receipt as a QR code -------------------------------------
def test_no_printer_says_why_and_the_qr_code_carries_the_receipt(kiosk):
    k = kiosk
    walk_ants_to_summary(k, "AB12CD34EF")
    assert k.button("Imprimer mon récapitulatif").disabled
    shown = k.texts()
    assert "Cette borne n'a pas d'imprimante." in shown
    summary = k.app.root_widget.ids.sm.get_screen("summary")
    payload = build_payload(k.app.controller.receipt_preview())
    assert summary.receipt_qr is not None and summary.receipt_qr.data == payload.text
    assert "AB12CD34EF" not in payload.text          # never a typed value
    assert "Les papiers à apporter" in payload.text
    assert payload.text.endswith("https://rendezvouspasseport.ants.gouv.fr")
    assert payload.size_bytes <= 360
    shot = k.screenshot("summary-no-printer-qr")
    decoded = [c.data.decode("utf-8") for c in decode(Image.open(shot))]
    assert payload.text in decoded, decoded
    # Measured, for the report: the code's version and its module size on screen.
    version = qr_version(payload.text)
    modules = 17 + 4 * version + 2 * 2  # a border of 2 modules (screens/summary.py ReceiptQRCode)
    px_per_module = summary.receipt_qr.width / modules
    print(f"receipt QR: {payload.size_bytes} bytes, version {version}, {modules} modules, "
          f"{px_per_module:.1f} px per module, complete={payload.complete}")
    assert version <= 14 and px_per_module >= 3


# ----- 3. a cue that the list goes on ----------------------------------------------------
def test_the_scroll_bar_shows_there_is_more_below_without_scrolling(kiosk):
    import time
    k = kiosk
    k.tap_at(640, 300)
    home = k.app.root_widget.ids.sm.get_screen("home")
    scroller = home.ids.scroller
    assert scroller.children[0].height > scroller.height  # the themes go on below
    time.sleep(1.2)  # Kivy fades its bar 0.5 s after the last scroll
    k.frames(3)
    shot = Image.open(k.screenshot("home-scroll-cue")).convert("RGB")
    x, y = scroller.to_window(scroller.right - scroller.bar_width / 2, scroller.top - 10)
    # Screenshots are top-down; Kivy's y goes up.
    pixel = shot.getpixel((int(x), int(shot.height - y)))
    ratio = contrast_ratio(tuple(c / 255 for c in pixel), COLOURS["background"])
    assert ratio >= 3, (pixel, ratio)


# ----- 2. the keyboard open keeps the question in view ------------------------------------
def _fully_visible(k, widget) -> bool:
    """Inside the window and inside the visible part of its ScrollView, above the keyboard."""
    from kivy.uix.scrollview import ScrollView
    x, y = widget.to_window(widget.x, widget.y)
    top = y + widget.height
    node = widget.parent
    while node is not None and node is not k.window:
        if isinstance(node, ScrollView):
            _, sy = node.to_window(node.x, node.y)
            if y < sy - 1 or top > sy + node.height + 1:
                return False
        node = node.parent
    keyboard = step_screen(k).keyboard_slot.keyboard
    above_keyboard = keyboard is None or y >= keyboard.top - 1
    return widget.opacity > 0 and y >= 0 and top <= k.window.height + 1 and above_keyboard


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080), (1080, 1920)])
def test_with_the_keyboard_open_title_warning_and_progress_stay_in_view(sized_kiosk, size, window, request):
    from screens.widgets import Body, Title
    if not in_window_of(size, window, request):
        return
    k = sized_kiosk(*size)
    walk_email_to_the_field(k)
    step = step_screen(k)
    k.tap(step.field_input)
    assert k.wait_for(lambda: step.keyboard_slot.keyboard is not None, 15)
    k.type_text("marie")
    k.frames(4)
    title = next(w for w in k.widgets(step.ids.content) if isinstance(w, Title))
    warning = next(w for w in k.widgets(step.ids.content) if isinstance(w, Body) and WARNING in w.text)
    k.screenshot(f"step-field-keyboard-{size[0]}x{size[1]}")
    for widget in (title, warning, step.ids.progress_text, step.field_input):
        assert _fully_visible(k, widget), (getattr(widget, "text", widget), widget.to_window(widget.x, widget.y))
    assert "Étape" in step.ids.progress_text.text
    # No word cut: Précédent and Suivant beside the field, and every key's label in its key.
    for button in (step.ids.previous_button, step.ids.next_button):
        assert set(_rendered_words(button)) <= set(button.label.split()), _rendered_words(button)
    keyboard = step.keyboard_slot.keyboard
    for label in keyboard.children:
        assert label.texture_size[0] <= label.width, label.text


# ----- 4. the top bar at 1.5× in portrait ------------------------------------------------
def _rendered_words(button) -> list[str]:
    """The words as Kivy laid them out, line by line (markup and the icon glyph left out)."""
    from screens.widgets import ICON_FONT
    button.texture_update()
    words = []
    for line in button._label._cached_lines:
        for word in line.words:
            if word.options.get("font_name") == ICON_FONT:
                continue
            words += word.text.split()
    return words


def test_the_text_size_button_says_the_size_and_cycles_up_then_back(kiosk):
    k = kiosk
    k.tap_at(640, 300)
    bar = k.app.root_widget.ids
    seen = []
    for n in range(4):
        seen.append((bar.text_size_button.label, bar.text_size_button.detail, k.machine.visit.text_scale_index))
        if n < 3:
            k.press(bar.text_size_button.label)
    assert seen == [("Agrandir", "Taille normale", 0), ("Agrandir", "Grande taille", 1),
                    ("Réduire", "Très grande taille", 2), ("Agrandir", "Taille normale", 0)]


def test_at_150_in_portrait_no_word_of_the_top_bar_is_cut(sized_kiosk, window, request):
    if not in_window_of((1080, 1920), window, request):
        return
    k = sized_kiosk(1080, 1920)
    k.tap_at(540, 900)
    bar = k.app.root_widget.ids
    k.tap(bar.text_size_button)
    k.tap(bar.text_size_button)
    assert k.machine.visit.text_scale_index == 2
    k.frames(4)
    k.screenshot("topbar-150-portrait")
    clear = k.app.root_widget.ids.sm.get_screen("home").ids.clear_search_button
    for button in (bar.home_button, bar.text_size_button, bar.listen_button, bar.help_button, clear):
        whole = set(button.label.split()) | set(button.detail.split())
        rendered = _rendered_words(button)
        assert set(rendered) <= whole, (button.label, rendered)
    assert bar.help_button.label in " ".join(_rendered_words(bar.help_button))  # never an icon alone
    assert k.machine.state is State.HOME
