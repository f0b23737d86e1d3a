"""The conseiller screens' strings: own prefix, placeholders filled."""

from kiosk.config import ASSETS_DIR
from kiosk.i18n import Catalog

PATH = ASSETS_DIR / "locales" / "fr" / "LC_MESSAGES" / "conseiller.po"


def texts():
    """key -> French text of the part's catalog."""
    from babel.messages.pofile import read_po
    with PATH.open("rb") as f:
        return {m.context: m.string for m in list(read_po(f))[1:]}


def test_every_key_is_ours_and_loads_with_the_other_parts():
    assert all(key.startswith("conseiller.") for key in texts())
    assert set(texts()) <= Catalog("fr").keys()


def test_placeholders_are_filled():
    t = Catalog("fr")
    assert t("conseiller.pin_locked", count=5, minutes=5) == "Trop d'essais\u00a0: réessayez dans 5 minutes"
    assert t("conseiller.pin_locked", count=1, minutes=1) == "Trop d'essais\u00a0: réessayez dans 1 minute"
    assert t("conseiller.pin_wrong_left", count=1, attempts=1) == "Code faux. Encore 1 essai."
    assert t("conseiller.today_help_calls", count=3).endswith("\u00a0: 3")
    line = t("conseiller.call_line", number=12, procedure="Créer un compte Ameli", step=3, minutes=4)
    assert line == "Appel 12\u00a0: Créer un compte Ameli, étape 3. Depuis 4 min."
