"""Issue 15, the screens: the language buttons, a switch mid-visit, Arabic right to left,
the keyboard of the visit's language. Real window, real touches; screenshots in
out/screenshots/ (language-*.png), looked at."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from kiosk.i18n import Catalog
from kiosk.services import Services
from kiosk.session import State

EN, AR, FR = Catalog("en"), Catalog("ar"), Catalog("fr")


@pytest.fixture
def kiosk(make_kiosk, help_desk):
    return make_kiosk(Services(printer=None, helpcall=help_desk))


def language_button(k, name: str):
    from screens.language_picker import LanguageButton
    found = [w for w in k.widgets() if isinstance(w, LanguageButton) and w.label == name and k._on_screen(w)]
    assert len(found) == 1, f"{len(found)} language buttons « {name} » on screen"
    return found[0]


def home_screen(k):
    return k.app.root_widget.ids.sm.get_screen("home")


def step_screen(k):
    return k.app.root_widget.ids.sm.get_screen("step")


def keyboard(k):
    from screens.keyboard import KioskKeyboard
    boards = [w for w in k.widgets() if isinstance(w, KioskKeyboard)]
    assert len(boards) == 1
    return boards[0]


def test_each_language_in_its_own_name_and_big_enough(kiosk):
    names = ["Français", "العربية", "English", "Português", "Español", "Türkçe"]
    for name in names:
        button = language_button(kiosk, name)
        assert button.height >= kiosk.app.target_px and button.width >= kiosk.app.target_px
    # « العربية » is drawn by the right-to-left label even on a French screen.
    from screens.rtl_text import RtlLabel
    assert isinstance(language_button(kiosk, "العربية")._label, RtlLabel)
    kiosk.screenshot("language-picker-attract")


def test_a_language_tapped_on_the_attract_screen_starts_the_visit_in_it(kiosk):
    kiosk.tap(language_button(kiosk, "English"))
    kiosk.frames(3)
    assert kiosk.machine.state is State.HOME
    assert kiosk.machine.visit.language == "en"
    ids = kiosk.app.root_widget.ids
    # kv-defined texts followed, and the ones the screens set.
    assert ids.home_button.label == EN("bar.home")
    assert home_screen(kiosk).ids.clear_search_button.label == EN("home.search_clear")
    assert EN("home.question") in kiosk.texts()
    assert FR("home.question") not in kiosk.texts()
    assert language_button(kiosk, "English").selected
    kiosk.screenshot("language-home-en")
    kiosk.tap(home_screen(kiosk).ids.content.children[-3])  # the first popular procedure
    kiosk.frames(3)
    assert kiosk.machine.state is State.STEP
    ids = step_screen(kiosk).ids
    assert ids.next_button.label == EN("step.next") and ids.previous_button.x < ids.next_button.x
    kiosk.screenshot("language-step-en")


def test_switching_mid_visit_keeps_what_was_typed_and_every_text_follows(kiosk):
    kiosk.tap_at(640, 300)
    field = home_screen(kiosk).search_input
    kiosk.tap(field)
    kiosk.type_text("carte")
    assert field.text == "carte"
    # While the keyboard is up, the language buttons make room for the results.
    assert not [w for w in kiosk.widgets() if w.__class__.__name__ == "LanguageButton" and kiosk._on_screen(w)]
    kiosk.tap_at(*keyboard(kiosk).key_center("enter"))  # « OK »
    kiosk.frames(2)
    kiosk.tap(language_button(kiosk, "العربية"))
    kiosk.frames(3)
    assert kiosk.machine.visit.language == "ar"
    assert field.text == "carte" and kiosk.machine.visit.search_query == "carte"
    ids = kiosk.app.root_widget.ids
    assert ids.home_button.label == AR("bar.home")
    assert ids.listen_button.label == AR("bar.listen")
    assert home_screen(kiosk).ids.clear_search_button.label == AR("home.search_clear")
    # The hint follows (drawn by the field's FieldText once the field is empty: « carte » is Latin).
    assert field.hint_text == AR("home.search_hint") and not field.rtl_shown
    # The keyboard now has the Arabic layout; it types into the same field.
    kiosk.tap(field)
    assert keyboard(kiosk).layout.endswith("ar_kiosk.json")
    kiosk.tap_at(*keyboard(kiosk).key_center("ب"))
    assert field.text == "carteب"
    kiosk.tap_at(*keyboard(kiosk).key_center("enter"))
    kiosk.frames(2)
    kiosk.tap(language_button(kiosk, "Français"))
    kiosk.frames(3)
    assert ids.home_button.label == FR("bar.home") and field.text == "carteب"
    assert field.hint_text == FR("home.search_hint")


def test_arabic_runs_right_to_left(kiosk):
    from screens.rtl_text import RtlLabel
    from screens.widgets import Body, KButton, Title
    kiosk.tap(language_button(kiosk, "العربية"))
    kiosk.frames(3)
    kiosk.screenshot("language-home-ar")
    home = home_screen(kiosk)
    search_row = home.ids.search_row
    # The search row is mirrored: its magnifier on the right.
    icon = search_row.children[-1]
    assert icon.right > home.ids.clear_search_button.right
    titles = [w for w in kiosk.widgets(home) if isinstance(w, (Body, Title)) and w.text]
    assert titles and all(isinstance(w._label, RtlLabel) for w in titles)
    assert all(w.halign == "right" for w in titles if w.halign != "center")
    buttons = [w for w in kiosk.widgets(home) if isinstance(w, KButton) and w.role == "choice" and w.icon]
    assert buttons and all(not w.markup and w.icon_texture is not None for w in buttons)
    kiosk.tap(buttons[-1])  # a procedure (the last choice button shown: a theme, or a procedure)
    kiosk.frames(3)
    if kiosk.machine.state is State.HOME:
        proc_buttons = [w for w in kiosk.widgets(home) if isinstance(w, KButton) and w.icon == "chevron-left"
                        and w.role == "choice"]
        kiosk.tap(proc_buttons[-1])
        kiosk.frames(3)
    assert kiosk.machine.state is State.STEP
    ids = step_screen(kiosk).ids
    # « Précédent » on the right, « Suivant » on the left, their arrows turned.
    assert ids.previous_button.x > ids.next_button.x
    assert ids.previous_button.icon == "chevron-right"
    kiosk.screenshot("language-step-ar")
    kiosk.app.controller.end_session()
    kiosk.frames(3)
    assert kiosk.app.language == "fr" and not kiosk.app.rtl
    assert ids.previous_button.x < ids.next_button.x


def test_arabic_typed_in_a_field_is_drawn_joined_and_right_to_left(kiosk):
    # TextInput draws with Kivy's SDL2 label: « بيت » showed as three unjoined letters, left
    # to right. The field's FieldText draws it instead, as HarfBuzz itself does.
    from screens.keyboard import FieldText
    from screens.rtl_text import RtlLabel
    from tests.screens.test_rtl_text import agreement, harfbuzz_drawing, texture_drawing
    kiosk.tap(language_button(kiosk, "العربية"))
    kiosk.frames(3)
    field = home_screen(kiosk).search_input
    kiosk.frames(2)
    # Empty, the field shows its Arabic hint, drawn right to left, in the hint's colour.
    assert field.rtl_shown and field._drawn.text == AR("home.search_hint")
    assert field.hint_text_color[3] == 0 and field._drawn_rect.size[0] > 0
    hint_colour = list(field._drawn.color)
    kiosk.screenshot("language-field-ar-hint")
    kiosk.tap(field)
    kb = keyboard(kiosk)
    for letter in "بيت":
        kiosk.tap_at(*kb.key_center(letter))
    kiosk.frames(2)
    assert field.text == "بيت" and field.rtl_shown
    drawn = field._drawn
    assert isinstance(drawn, FieldText) and drawn.text == "بيت" and isinstance(drawn._label, RtlLabel)
    assert list(drawn.color) != hint_colour
    # Painted over the field, inside it (TextInput's redraws clear its canvas, not canvas.after).
    rect = field._drawn_rect
    assert rect in field.canvas.after.children and rect.texture is drawn.texture
    assert field.x <= rect.pos[0] and rect.pos[0] + rect.size[0] <= field.right and rect.size[1] > 0
    assert field.foreground_color[3] == 0 and field.cursor_color[3] == 0  # TextInput's own glyphs hidden
    # Drawn from the right edge of the field's text box, as HarfBuzz draws it.
    texture = drawn._label.texture
    alpha = Image.frombytes("RGBA", texture.size, bytes(texture.pixels)).getchannel("A")
    assert texture.width == int(drawn.width) and alpha.getbbox()[2] >= texture.width - 4
    if shutil.which("hb-view"):
        assert agreement(harfbuzz_drawing("بيت", int(field.font_size)), texture_drawing(drawn._label)) > 0.97
    kiosk.screenshot("language-field-ar")
    for _ in range(3):
        kiosk.tap_at(*kb.key_center("backspace"))
    kiosk.frames(2)
    assert field.text == "" and drawn.text == AR("home.search_hint") and list(drawn.color) == hint_colour
    kiosk.tap_at(*kb.key_center("capslock"))  # the Latin layer: e-mails and sites
    kiosk.tap_at(*kb.key_center("z"))
    assert field.text == "z" and not field.rtl_shown and field.foreground_color[3] == 1
    assert drawn.text == "" and tuple(rect.size) == (0, 0)
    kiosk.tap_at(*kb.key_center("capslock"))
    kiosk.tap_at(*kb.key_center("ب"))
    assert drawn.text == "zب" and field.rtl_shown
    kiosk.app.controller.end_session("visitor erased")
    kiosk.frames(2)
    # What was typed is gone from the drawing too (at most the hint is left, until home shows).
    assert field.text == "" and drawn.text in ("", AR("home.search_hint"))


def test_turkish_keyboard_types_turkish_letters(kiosk):
    kiosk.tap_at(640, 300)
    kiosk.tap(language_button(kiosk, "Türkçe"))
    kiosk.frames(3)
    field = home_screen(kiosk).search_input
    kiosk.tap(field)
    kb = keyboard(kiosk)
    assert kb.layout.endswith("tr_kiosk.json")
    for char in "işçığöü":
        kiosk.tap_at(*kb.key_center(char))
    kiosk.tap_at(*kb.key_center("capslock"))
    kiosk.tap_at(*kb.key_center("İ"))
    kiosk.tap_at(*kb.key_center("I"))
    assert field.text == "işçığöüİI"
    kiosk.screenshot("language-keyboard-tr")


def test_a_language_tap_then_a_tap_on_home_is_no_double_tap(kiosk):
    button = language_button(kiosk, "English")
    kiosk.tap(button)
    kiosk.frames(1)
    kiosk.tap_at(*button.to_window(*button.center))  # at once, in the same place, on home
    assert not kiosk.machine.visit.speech_mode


def test_an_arabic_visit_ends_with_its_text_measures_wiped_and_french_back(kiosk):
    from screens import rtl_text
    french_bar_height = kiosk.app.root_widget.ids.bar.height
    kiosk.tap(language_button(kiosk, "العربية"))
    kiosk.frames(3)
    assert not rtl_text.measures_empty()  # the home screen's texts were measured
    kiosk.app.controller.end_session("visitor erased")
    report = kiosk.app.controller.wipes.last_report
    assert report.clean, report
    kiosk.frames(3)
    assert kiosk.app.language == "fr" and kiosk.app.t("bar.home") == FR("bar.home")
    # The top bar's buttons are markup again (icon and label on one line), not their markup
    # shown as plain text over the whole screen.
    assert kiosk.app.root_widget.ids.bar.height == french_bar_height
    kiosk.clock.advance(60)
    kiosk.app.controller.tick()  # the goodbye screen has been shown
    kiosk.frames(2)
    kiosk.tap_at(640, 300)  # a new visit starts: the wipe was verified clean
    assert kiosk.machine.state is State.HOME and kiosk.machine.visit.language == ""
    assert kiosk.app.root_widget.ids.home_button.label == FR("bar.home")


def test_a_field_step_keeps_its_value_and_takes_the_arabic_keyboard(kiosk):
    from tests.screens.test_visitor_truth_2 import walk_email_to_the_field
    walk_email_to_the_field(kiosk)
    step = step_screen(kiosk)
    kiosk.tap(step.field_input)
    kiosk.type_text("ab")
    step_id = kiosk.machine.step.id
    # The language buttons are on the attract and home screens; the switch itself is the
    # controller's, and a step must follow it without losing the field or the keyboard.
    kiosk.app.controller.set_language("ar")
    kiosk.frames(3)
    field = step.field_input
    assert field.text == "ab" and kiosk.machine.visit.fields[step_id] == "ab"
    from screens.keyboard import FieldInput
    assert [w for w in kiosk.widgets(step) if isinstance(w, FieldInput)] == [field]  # no old one left
    kb = keyboard(kiosk)
    assert kb.layout.endswith("ar_kiosk.json")
    kiosk.tap_at(*kb.key_center("ب"))
    kiosk.tap_at(*kb.key_center("capslock"))  # « ABC »: the Latin layer
    kiosk.tap_at(*kb.key_center("z"))
    assert kiosk.machine.visit.fields[step_id] == "abبz"
    assert step.ids.next_button.label == AR("step.next")
    kiosk.screenshot("language-keyboard-ar")


@pytest.mark.parametrize("code, catalog", [("ar", AR), ("en", EN)])
def test_a_kiosk_configured_in_a_language_greets_in_it(make_kiosk, help_desk, tmp_path, code, catalog):
    from kiosk.config import Config, KioskSection, PrinterSection
    from screens.rtl_text import RtlLabel
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path, name="Borne test", place="Médiathèque de Lens",
                                    language=code), printer=PrinterSection())
    k = make_kiosk(Services(printer=None, helpcall=help_desk), cfg=cfg)
    attract = k.app.root_widget.ids.sm.get_screen("attract")
    assert attract.ids.invite.text == catalog("attract.touch")
    assert attract.ids.message.text == catalog("attract.welcome")
    assert isinstance(attract.ids.invite._label, RtlLabel) == (code == "ar")
    # The overlays' kv texts are in the language too.
    assert k.app.widgets.leave_overlay.ids.question.text == catalog("leave.question")
    k.frames(2)
    picker = attract.ids.languages
    assert picker.y >= attract.y and picker.top <= attract.top  # whole, under the top bar
    k.screenshot(f"language-attract-{code}")
