"""Help-call strings: own prefix, placeholders filled."""

from kiosk.config import ASSETS_DIR
from kiosk.i18n import Catalog

PATH = ASSETS_DIR / "locales" / "fr" / "LC_MESSAGES" / "helpcall.po"


def texts():
    """key -> French text of the part's catalog."""
    from babel.messages.pofile import read_po
    with PATH.open("rb") as f:
        return {m.context: m.string for m in list(read_po(f))[1:]}


def test_every_key_is_ours_and_loads_with_the_other_parts():
    assert all(key.startswith("helpcall.") for key in texts())
    assert set(texts()) <= Catalog("fr").keys()



def test_placeholders_are_filled():
    t = Catalog("fr")
    assert t("helpcall.number", number=12) == "Votre numéro\u00a0: 12"
    assert t("helpcall.message", number=3, kiosk="Borne 1", place="Mairie") == \
        "Appel n°\u00a03\u00a0: un visiteur demande de l'aide à la borne «\u00a0Borne 1\u00a0» (Mairie)."
