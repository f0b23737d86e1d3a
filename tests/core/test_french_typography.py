"""The helper that puts French spacing in content must not double what is already right."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "french_typography", Path(__file__).resolve().parents[2] / "scripts" / "french_typography.py")
typo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(typo)
NB = "\u00a0"


def test_spaces_before_double_punctuation_and_inside_guillemets():
    assert typo.fix("Vous êtes là ? Touchez « Suivant ».") == f"Vous êtes là{NB}? Touchez «{NB}Suivant{NB}»."


def test_running_twice_changes_nothing_more():
    once = typo.fix("Attention : touchez « Créer un compte » !")
    assert typo.fix(once) == once
    assert NB * 2 not in once


def test_urls_and_yaml_keys_are_left_alone():
    text = "url: https://www.ameli.fr\ntitle: Bonjour"
    assert typo.fix(text) == text
