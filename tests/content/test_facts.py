"""`kiosk content facts`: the lines a conseillère confirms before real use (issue 17)."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from kiosk.content.facts import FACT, as_markdown, pack_facts, procedure_facts

REPO = Path(__file__).resolve().parents[2]


def test_figures_months_and_price_words_are_facts():
    for line in ("Appelez le 36 46.", "Il coûte 25 €.", "La campagne ouvre en avril.",
                 "La demande est gratuite.", "Cela prend moins de 48 heures."):
        assert FACT.search(line), line


def test_plain_lines_and_e_mail_are_not_facts():
    # « e-mail » holds « mai » but is not a month; « maison » neither.
    for line in ("Ouvrez votre messagerie e-mail.", "Touchez Suivant.", "Votre maison."):
        assert not FACT.search(line), line


def test_a_fact_repeated_on_the_end_step_is_listed_once(real_pack):
    proc = real_pack.procedures["ameli-arret-de-travail"]
    facts = procedure_facts(proc).facts
    assert len(facts) == len(set(facts))
    assert any("48 heures" in fact for fact in facts)


def test_the_oldest_check_comes_first(real_pack):
    old = replace(real_pack.procedures["creer-adresse-email"], checked_on="2020-01-01")
    pack = replace(real_pack, procedures={**real_pack.procedures, old.id: old})
    assert pack_facts(pack)[0].procedure_id == "creer-adresse-email"


def test_the_committed_checklist_is_the_one_the_shipped_pack_gives(real_pack):
    # docs/FACTS_TO_CONFIRM.md is what a conseillère prints; a content change regenerates it:
    # PYTHONPATH=. .venv/bin/python -m kiosk content facts > docs/FACTS_TO_CONFIRM.md
    committed = (REPO / "docs" / "FACTS_TO_CONFIRM.md").read_text(encoding="utf-8")
    assert committed.rstrip("\n") == as_markdown(pack_facts(real_pack)).rstrip("\n")


def test_the_command_refuses_a_folder_that_does_not_validate(tmp_path):
    (tmp_path / "categories.yaml").write_text("categories: []\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kiosk", "content", "facts", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert run.returncode != 0
    assert "does not validate" in run.stderr and "Traceback" not in run.stderr
