"""A small, valid content pack written to a temporary folder; each test breaks one thing."""

from datetime import date
from pathlib import Path

import pytest
from PIL import Image

CATEGORIES = """\
categories:
  - id: papiers
    title: Carte d'identité et passeport
    icon: card-account-details-outline
  - id: internet
    title: Internet et e-mail
    icon: email-outline
"""

# Line numbers matter: tests point at them. Python turns each \u00a0 into a real no-break
# space in the file, as the typography script would.
PROCEDURE = """\
id: essai
category: papiers
title: Faire un essai
summary: Vous faites un essai. C'est simple.
keywords: [essai, test]
duration_min: 5
popularity: 10
before_you_start:
  - Votre téléphone.
links:
  - label: Service Public
    url: https://www.service-public.fr
steps:
  - id: intro
    kind: info
    title: Ce que vous allez faire
    image: images/ecran.png
    text: |
      Première phrase courte.
      Deuxième phrase, toujours courte.
      Troisième phrase pour finir.
    image_alt: La page d'accueil du site, avec le bouton Se connecter en haut.
  - id: question
    kind: question
    title: "Avez-vous un compte\u00a0?"
    choices:
      - label: Oui
        next: oui
      - label: Non
        next: non
  - id: oui
    kind: info
    title: Vous avez un compte
    text: "Touchez «\u00a0Se connecter\u00a0»."
    next: fin
  - id: non
    kind: info
    title: Vous n'avez pas de compte
    text: "Touchez «\u00a0Créer un compte\u00a0»."
  - id: fin
    kind: end
    title: La suite
    todo:
      - Revenez demain.
checked_on: {today}
sources: [https://www.service-public.fr]
""".replace("{today}", date.today().isoformat())  # dated today: never due for review in a test
# Line of each step's "- id:" in PROCEDURE, to check where problems point.
LINE = {"intro": 14, "question": 23, "oui": 31, "non": 36, "fin": 40}


class PackWriter:
    """Writes the valid pack, then lets a test replace a piece of text in one file."""

    def __init__(self, root: Path):
        self.root = root
        (root / "procedures").mkdir(parents=True)
        (root / "images").mkdir()
        Image.new("RGB", (4, 4)).save(root / "images" / "ecran.png")
        (root / "categories.yaml").write_text(CATEGORIES, encoding="utf-8")
        self.write("essai.yaml", PROCEDURE)

    def write(self, name: str, text: str) -> Path:
        path = self.root / "procedures" / name
        path.write_text(text, encoding="utf-8")
        return path

    def replace(self, old: str, new: str, name: str = "essai.yaml") -> Path:
        path = self.root / ("categories.yaml" if name == "categories.yaml" else f"procedures/{name}")
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must appear exactly once in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path


@pytest.fixture
def pack(tmp_path) -> PackWriter:
    return PackWriter(tmp_path / "pack")
