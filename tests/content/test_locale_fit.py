"""Every button word fits its button in every language at the largest text size
(kiosk/content/locale_fit.py; the rooms are checked on the real window by
tests/screens/test_locale_fit.py)."""

from __future__ import annotations

from kiosk.content import locale_fit
from kiosk.i18n import LOCALES_DIR, Catalog


def test_the_shipped_catalogs_fit_their_buttons():
    assert [str(p) for p in locale_fit.fit_problems(LOCALES_DIR)] == []


def test_a_word_wider_than_its_button_is_named_with_its_key_language_and_sizes(monkeypatch):
    word = Catalog("tr")("bar.home").split()[0]
    monkeypatch.setattr(locale_fit, "ROOM_PX", {"bar.home": 40})
    problems = locale_fit.fit_problems(LOCALES_DIR, languages=("tr", "ar"))
    assert [p.file.name for p in problems][:1] == ["tr"] and {p.file.name for p in problems} == {"tr", "ar"}
    first = problems[0]
    assert first.rule == "locale-fit" and "bar.home" in first.message and f"« {word} »" in first.message
    assert "40 px" in first.message and "1280×800" in first.message


def test_words_are_measured_in_the_languages_own_font_and_direction():
    size = locale_fit.largest_body_px()
    assert size == 43  # 1.5 × on 1280×800 at 15.6″
    # The same letters are wider in bold at a larger size, and Arabic is measured joined.
    assert locale_fit.word_width_px("Accueil", "fr", size) > locale_fit.word_width_px("Accueil", "fr", 29)
    joined = locale_fit.word_width_px("الرئيسية", "ar", size)
    assert 0 < joined < sum(locale_fit.word_width_px(ch, "ar", size) for ch in "الرئيسية")


def test_the_button_keys_are_read_from_the_screens():
    keys = locale_fit.button_keys()
    assert {"bar.home", "step.next", "summary.print", "idle.more_time"} <= set(keys)
    assert set(locale_fit.ROOM_PX) <= set(keys)
