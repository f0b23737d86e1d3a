"""The content rules that keep the kiosk from telling a visitor something untrue.

Each rule is shown failing on a broken copy of the small pack (tests/content/conftest.py),
then the shipped pack is checked against what the rules are for: on the receipt itself.
"""

import pytest

from kiosk.config import ASSETS_DIR, KioskSection
from kiosk.content.loader import ContentError, load_pack
from kiosk.content.validate import done_claim
from kiosk.i18n import t
from kiosk.receipts import build_procedure_receipt, receipt_text
from kiosk.session import Visit

from .conftest import LINE

NBSP = "\u00a0"


def only(root, rule):
    with pytest.raises(ContentError) as e:
        load_pack(root, strict=True)
    found = e.value.problems
    assert {p.rule for p in found} == {rule}, [str(p) for p in found]
    return found


# ----- done-claim ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Vous avez déclaré vos revenus en ligne.",
    "Vous avez rempli la pré-demande de carte d'identité.",
    "Votre pré-demande est faite",
    "Votre demande de permis est envoyée",
    "Votre adresse e-mail est créée",
    "Vos fichiers sont rangés",
    "Votre CV est prêt",
    "Vous êtes inscrit à France Travail.",
    "Vous savez créer votre compte Ameli.",
    "C'est fait.",
])
def test_done_claim_finds_a_claim_of_what_happened_on_the_site(text):
    assert done_claim(text)


@pytest.mark.parametrize("text", [
    "Ce que vous avez vu ici",
    "Vous avez vu comment faire la pré-demande.",
    "Comment déclarer vos revenus en ligne.",
    "Quand vous aurez fini, notez votre numéro.",
    "Vous avez déjà une adresse e-mail",  # a fact the visitor chose, not a claim
    "Votre pré-demande de carte d'identité",
])
def test_done_claim_lets_what_was_seen_here_or_what_to_do_pass(text):
    assert done_claim(text) is None


def test_an_end_step_done_line_may_not_claim_the_procedure_was_finished(pack):
    pack.replace("    title: La suite\n    todo:\n",
                 "    title: La suite\n    done:\n      - Vous avez créé votre compte.\n    todo:\n")
    (p,) = only(pack.root, "done-claim")
    assert p.line == LINE["fin"] + 4 and "« Vous avez créé »" in p.message


def test_an_end_step_title_may_not_claim_it_either(pack):
    pack.replace("    title: La suite\n", "    title: Votre demande est envoyée\n")
    (p,) = only(pack.root, "done-claim")
    assert p.line == LINE["fin"] + 2 and "« est envoyée »" in p.message


def test_an_info_step_may_say_what_the_visitor_has(pack):
    # « Vous avez un compte » on a branch is the visitor's own answer, not a claim.
    load_pack(pack.root, strict=True)


@pytest.mark.parametrize("key", ["summary.done", "receipt.done"])
def test_the_summary_and_receipt_heading_says_what_was_seen_here(key):
    assert t(key) == f"Ce que vous avez vu ici{NBSP}:"
    assert done_claim(t(key)) is None


# ----- not-a-paper and bring-repeat ----------------------------------------------------

PAPERS = """\
  - id: papiers
    kind: checklist
    papers: true
    title: Vos papiers
    items:
      - id: photo
        label: Une photo d'identité
      - id: domicile
        label: {second}
"""


def add_papers(pack, second="Un justificatif de domicile", bring=None):
    pack.replace("steps:\n", "steps:\n" + PAPERS.format(second=second))
    if bring:
        pack.replace("      - Revenez demain.\n", f"      - Revenez demain.\n    bring:\n      - {bring}\n")


def test_papers_checklist_with_papers_only_passes(pack):
    add_papers(pack)
    load_pack(pack.root, strict=True)


@pytest.mark.parametrize("label, word", [
    ("Votre numéro fiscal et votre mot de passe", "mot de passe"),
    ("Une adresse e-mail", "adresse e-mail"),
    ("Votre téléphone portable", "téléphone"),
    ("Un code photo", "code"),
])
def test_a_papers_checklist_lists_no_password_mail_phone_or_code(pack, label, word):
    add_papers(pack, second=label)
    (p,) = only(pack.root, "not-a-paper")
    assert p.line == 22 and f"« {word} »" in p.message


def test_an_end_step_does_not_bring_a_password_either(pack):
    pack.replace("      - Revenez demain.\n", "      - Revenez demain.\n    bring:\n      - Votre mot de passe\n")
    (p,) = only(pack.root, "not-a-paper")
    assert p.line == LINE["fin"] + 6


def test_an_end_step_does_not_repeat_a_paper_of_a_papers_checklist(pack):
    # Said longer or shorter, it is the same paper (« , si vous en avez une »).
    add_papers(pack, bring="Une photo d'identité, si vous en avez une")
    (p,) = only(pack.root, "bring-repeat")
    assert "« Une photo d'identité »" in p.message


def test_an_end_step_may_bring_a_paper_no_checklist_has(pack):
    add_papers(pack, bring="Votre numéro de pré-demande")
    load_pack(pack.root, strict=True)


# ----- site-link and site-idle ---------------------------------------------------------

SITE_STEP = "    site: https://www.service-public.fr/particuliers\n    idle_timeout_s: 600\n"
LINK_STEP = """\
  - id: ouvrir
    kind: link
    title: Ouvrez le site
    link:
      label: Service Public
      url: {url}
"""


def on_site(pack, where="oui"):
    anchor = {"oui": "    title: Vous avez un compte\n", "non": "    title: Vous n'avez pas de compte\n"}[where]
    pack.replace(anchor, anchor + SITE_STEP)


def test_a_step_on_the_site_needs_a_link_step_before_it(pack):
    on_site(pack)
    (p,) = only(pack.root, "site-link")
    assert p.line == LINE["oui"] + 3 and "service-public.fr" in p.message


def test_a_link_step_before_the_question_covers_both_branches(pack):
    on_site(pack, "oui")
    on_site(pack, "non")
    pack.replace("  - id: question\n", LINK_STEP.format(url="https://www.service-public.fr") + "  - id: question\n")
    load_pack(pack.root, strict=True)


def test_a_link_on_one_branch_does_not_cover_the_other(pack):
    # ouvrir is only on the « Oui » branch; « non » is reached without it.
    on_site(pack, "non")
    pack.replace("        next: oui\n", "        next: ouvrir\n")
    link = LINK_STEP.format(url="https://www.service-public.fr") + "    next: oui\n"
    pack.replace("  - id: oui\n", link + "  - id: oui\n")
    pack.replace("    text: \"Touchez «\u00a0Se connecter\u00a0».\"\n    next: fin\n",
                 "    text: \"Touchez «\u00a0Se connecter\u00a0».\"\n    next: non\n")
    (p,) = only(pack.root, "site-link")
    assert "« non »" in p.message


def test_a_link_to_another_site_does_not_count(pack):
    on_site(pack)
    pack.replace("  - id: question\n", LINK_STEP.format(url="https://www.ameli.fr") + "  - id: question\n")
    only(pack.root, "site-link")


def test_a_link_after_the_step_comes_too_late(pack):
    on_site(pack)
    pack.replace("  - id: fin\n", LINK_STEP.format(url="https://www.service-public.fr") + "  - id: fin\n")
    pack.replace("    next: fin\n", "    next: ouvrir\n")
    only(pack.root, "site-link")


def test_a_step_on_the_site_has_a_long_idle_limit(pack):
    pack.replace("  - id: question\n", LINK_STEP.format(url="https://www.service-public.fr") + "  - id: question\n")
    on_site(pack)
    pack.replace("    idle_timeout_s: 600\n", "    idle_timeout_s: 300\n")
    (p,) = only(pack.root, "site-idle")
    assert p.line == LINE["oui"] + 6 and "600" in p.message


def test_the_site_of_a_step_is_an_allowed_official_site(pack):
    pack.replace("  - id: question\n", LINK_STEP.format(url="https://www.service-public.fr") + "  - id: question\n")
    on_site(pack)
    pack.replace("    site: https://www.service-public.fr/particuliers\n", "    site: https://www.example.com\n")
    found = {p.rule for p in pytest.raises(ContentError, load_pack, pack.root, strict=True).value.problems}
    assert "domain" in found


# ----- the shipped pack, on the printed receipt ----------------------------------------

SHIPPED = load_pack(ASSETS_DIR / "content")
KIOSK = KioskSection(name="Borne", place="Médiathèque")
END_STEPS = [(p, s) for p in SHIPPED.procedures.values() for s in p.steps if s.kind == "end"]


def papers_section(procedure, end, ticked: bool) -> list[str]:
    """The « Les papiers à apporter » lines of the printed receipt after every step was seen."""
    from datetime import datetime

    visit = Visit(started_at=0.0, procedure_id=procedure.id, step_id=end.id,
                  history=[s.id for s in procedure.steps if s.kind != "end"])
    if ticked:
        for s in procedure.steps:
            if s.papers:
                visit.checked[s.id] = {item.id for item in s.items}
    text = receipt_text(build_procedure_receipt(procedure, visit, KIOSK, datetime(2026, 12, 2, 10, 0)), 48)
    heading = t("receipt.bring") + "\n"
    if heading not in text:
        return []
    return text.split(heading, 1)[1].split("\n\n", 1)[0].splitlines()


@pytest.mark.parametrize("procedure, end", END_STEPS, ids=[f"{p.id}/{s.id}" for p, s in END_STEPS])
def test_no_password_mail_phone_or_code_is_printed_as_a_paper(procedure, end):
    from kiosk.content.papers import NOT_A_PAPER

    lines = papers_section(procedure, end, ticked=False)
    assert [line for line in lines if NOT_A_PAPER.search(line)] == []


@pytest.mark.parametrize("procedure, end", END_STEPS, ids=[f"{p.id}/{s.id}" for p, s in END_STEPS])
def test_a_ticked_paper_is_not_printed(procedure, end):
    from kiosk.content.papers import same_paper

    labels = [item.label for s in procedure.steps if s.papers for item in s.items]
    printed = " ".join(papers_section(procedure, end, ticked=True)).replace("- ", "\n").split("\n")
    assert [p for p in printed if p.strip() and any(same_paper(p.strip(), label) for label in labels)] == []


def test_the_identity_card_procedure_links_the_ants_pre_demande_site_before_the_form():
    cni = SHIPPED.procedures["ants-pre-demande-carte-identite"]
    ids = [s.id for s in cni.steps]
    link = next(s for s in cni.steps if s.link and "ants.gouv.fr" in s.link.url
                and not s.link.url.startswith("https://rendezvous"))
    form = cni.step("formulaire")
    assert form.site and ids.index(link.id) < ids.index("formulaire")
