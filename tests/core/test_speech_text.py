"""The speech normaliser, rule by rule: what espeak-ng is given instead of what is shown."""

import pytest

from kiosk import speech_text as st
from kiosk.speech_text import normalise

NBSP = "\u00a0"


@pytest.mark.parametrize("n, words", [
    (0, "zéro"), (16, "seize"), (17, "dix-sept"), (21, "vingt-et-un"), (70, "soixante-dix"),
    (71, "soixante-et-onze"), (77, "soixante-dix-sept"), (80, "quatre-vingts"),
    (81, "quatre-vingt-un"), (91, "quatre-vingt-onze"), (99, "quatre-vingt-dix-neuf"),
    (100, "cent"), (200, "deux cents"), (372, "trois cent soixante-douze"),
])
def test_french_numbers(n, words):
    assert st.french_number(n) == words


PAIRS = "zéro un, soixante-dix, soixante-dix-sept, vingt-trois, soixante-douze"


@pytest.mark.parametrize("written", [
    "01 70 77 23 72", "01 70 772 372", "0170772372", "01.70.77.23.72", "01-70-77-23-72",
    f"01{NBSP}70{NBSP}77{NBSP}23{NBSP}72",
])
def test_phone_numbers_are_said_in_pairs_however_written(written):
    assert st.phone_numbers(f"Appelez le {written}.") == f"Appelez le {PAIRS}."


def test_international_phone_number():
    assert st.phone_numbers("+33 1 70 77 23 72") == (
        "plus trente-trois, un, soixante-dix, soixante-dix-sept, vingt-trois, soixante-douze")


def test_free_number_written_3_3_3_is_said_group_by_group():
    assert st.phone_numbers("0 800 123 456") == (
        "zéro, huit cents, cent vingt-trois, quatre cent cinquante-six")


def test_nine_digits_3_3_3_are_not_read_as_millions():
    assert st.grouped_numbers("SIREN 123 456 789") == (
        "SIREN cent vingt-trois, quatre cent cinquante-six, sept cent quatre-vingt-neuf")


@pytest.mark.parametrize("text", ["en 2026", "Étape 1 sur 5", "3 choses", "12,50"])
def test_other_numbers_are_left_to_the_voice(text):
    assert st.phone_numbers(st.grouped_numbers(text)) == text


@pytest.mark.parametrize("written, said", [
    ("15/05/2026", "15 mai 2026"), ("2026-05-15", "15 mai 2026"), ("01/08/2026", "premier août 2026"),
    ("1/12/2025", "premier décembre 2025"), ("2026-11-30", "30 novembre 2026"),
    ("45/05/2026", "45/05/2026"),  # not a date: left alone
])
def test_dates(written, said):
    assert st.dates(f"avant le {written}") == f"avant le {said}"


@pytest.mark.parametrize("written, said", [
    ("9 h 30", "9 heures 30"), ("14h", "14 heures"), ("14 h", "14 heures"), ("9h05", "9 heures 5"),
    ("1 h", "1 heure"), ("12 h 00", "12 heures"),
])
def test_times(written, said):
    assert st.times(f"ouvert à {written}.") == f"ouvert à {said}."


def test_times_leave_words_alone():
    assert st.times("2 heures et 3 hommes") == "2 heures et 3 hommes"


@pytest.mark.parametrize("written, said", [
    ("25 €", "25 euros"), (f"25{NBSP}€", "25 euros"), ("25€", "25 euros"), ("1 €", "1 euro"),
    ("12,50 €", "12 euros 50"), ("1 250 €", "1250 euros"), ("€", "euros"),
])
def test_amounts(written, said):
    assert st.amounts(f"coût : {written}") == f"coût : {said}"


def test_e_mail_word():
    assert st.email_word("votre e-mail, vos E-mails, un email") == "votre imèle, vos imèles, un imèle"


@pytest.mark.parametrize("written, said", [
    ("impots.gouv.fr", "impots point gouv point fr"),
    ("https://www.impots.gouv.fr", "impots point gouv point fr"),
    ("https://www.impots.gouv.fr/particulier/espace-particulier", "impots point gouv point fr"),
    ("www.service-public.fr/particuliers/vosdroits/F1234", "service-public point fr"),
    ("ameli.fr/", "ameli point fr"),
])
def test_web_addresses_say_the_site_only(written, said):
    assert st.web_addresses(f"Allez sur {written}.") == f"Allez sur {said}."


def test_email_address():
    assert st.email_addresses("à jean.dupont@exemple.fr") == "à jean point dupont arobase exemple point fr"


@pytest.mark.parametrize("written, said", [
    (f"Touchez «{NBSP}Se connecter{NBSP}».", "Touchez Se connecter."),
    ("•  Votre carte *", "Votre carte"),
    ("N° fiscal", "numéro fiscal"),
    ("Loyer & charges", "Loyer et charges"),
    ("et/ou", "et ou"),
])
def test_symbols_are_not_read(written, said):
    assert st.spaces(st.symbols(written)) == said


def test_normalise_applies_every_rule_in_order():
    text = (f"Le 15/05/2026 à 9 h 30, appelez le 01 70 772 372 ou allez sur "
            f"https://www.caf.fr/allocataires : «{NBSP}25 €{NBSP}» par e-mail.")
    assert normalise(text, "fr") == (
        f"Le 15 mai 2026 à 9 heures 30, appelez le {PAIRS} ou allez sur caf point fr : "
        "25 euros par imèle.")


def test_a_language_without_rules_gets_the_language_free_ones():
    assert normalise("«\u00a0Call 01 70 772 372 & co\u00a0»", "xx") == "Call 01, 70, 77, 23, 72 & co"
    assert "fr" in st.RULES and "xx" not in st.SIGN_WORDS


# ----- the other languages: no French word reaches another voice --------------------------
FRENCH_WORDS = ("point", "arobase", "imèle", "numéro", "euros", "zéro", "heures", "mai", " et ")


@pytest.mark.parametrize("language", ["ar", "en", "pt", "es", "tr"])
def test_other_languages_get_no_french_word(language):
    text = (f"Le 15/05/2026 à 9 h 30, appelez le 01 70 772 372, écrivez à aide@caf.fr ou allez "
            f"sur https://www.caf.fr/allocataires : «{NBSP}25 €{NBSP}» N° 5 & 6.")
    said = normalise(text, language)
    assert not [w for w in FRENCH_WORDS if w in said.replace("Le ", "")], said
    # The language-free part still holds: the site without its path, the number in pairs
    # (the voice says each pair in its own language), no guillemets.
    assert "caf.fr" in said and "allocataires" not in said and "https" not in said
    assert "01, 70, 77, 23, 72" in said
    assert "«" not in said and "»" not in said


@pytest.mark.parametrize("language, said", [
    ("en", "Rent and charges, number 5"), ("es", "Alquiler y charges, número 5"),
    ("pt", "Renda e charges, número 5"), ("tr", "Kira ve charges, numara 5"),
    ("ar", "Rent و charges, رقم 5"),
])
def test_and_and_number_signs_are_said_in_the_language(language, said):
    written = {"en": "Rent", "es": "Alquiler", "pt": "Renda", "tr": "Kira", "ar": "Rent"}[language]
    assert normalise(f"{written} & charges, N° 5", language) == said


def test_a_web_address_in_another_language_keeps_its_dots_for_the_voice():
    # espeak-ng says « dot », « punto », « ponto » itself; the path is never spelled.
    assert normalise("Go to https://www.impots.gouv.fr/particulier/espace.", "en") == (
        "Go to impots.gouv.fr.")


# ----- French content inside another language's speech ----------------------------------
def test_french_content_in_another_language_is_said_by_the_french_voice():
    text = f"Step 2 of 9. {st.french('Un timbre fiscal coûte 25 € <ou> plus')}. 6 items to tick: N° 5"
    spoken, ssml = st.engine_input(text, "en")
    assert ssml
    assert spoken == ('<speak>Step 2 of 9. <voice xml:lang="fr">Un timbre fiscal coûte 25 euros ou plus'
                      '</voice>. 6 items to tick: number 5</speak>')


def test_markers_are_dropped_when_the_visitor_listens_in_french():
    assert st.engine_input(f"Étape 2. {st.french('25 €')}.", "fr") == ("Étape 2. 25 euros.", False)
    assert st.engine_input("Step 2 & 3.", "en") == ("Step 2 and 3.", False)


def test_arabic_bidi_isolates_never_reach_the_voice():
    # kiosk/i18n.py wraps placeholders in U+2068 … U+2069 for the screen only.
    assert normalise("الخطوة \u20682\u2069 من \u20689\u2069", "ar") == "الخطوة 2 من 9"


def test_xml_in_content_is_escaped_for_ssml():
    spoken, ssml = st.engine_input(f"See {st.french('Tom & Jerry')} & <b>", "en")
    assert ssml and "<b>" not in spoken and "&" not in spoken.replace("&lt;", "").replace("&gt;", "")


def test_a_long_ssml_utterance_is_cut_into_well_formed_ssml():
    import xml.etree.ElementTree as ET

    from kiosk.speech import MAX_TEXT_BYTES, cut
    # Cut inside a French part, and (the first cut's failure: a </voice> too many) between two.
    for english in ("Step {i}.", "Step {i} of the procedure."):
        text = " ".join(f"{english.format(i=i)} {st.french('Une photo')}." for i in range(2000))
        spoken = cut(*st.engine_input(text, "en"))
        assert len(spoken) <= MAX_TEXT_BYTES
        ET.fromstring(spoken.decode("utf-8"))  # raises on a broken tag or an unclosed voice
    assert cut("é" * 40000, False).decode("utf-8")  # never half a character
