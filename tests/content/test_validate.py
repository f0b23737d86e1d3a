"""Every rule of `kiosk content validate`, each shown failing on a broken copy of a small pack."""

from datetime import date

import pytest

from kiosk.cli import main
from kiosk.config import ASSETS_DIR
from kiosk.content.loader import ContentError, load_pack
from kiosk.content.validate import due_for_review, is_due_for_review, locale_problems, pack_date, review_deadline

from .conftest import LINE

LONG_SENTENCE = " ".join(["mot"] * 20) + " encore."  # 21 words
NBSP = "\u00a0"


def problems(root, strict=True):
    with pytest.raises(ContentError) as e:
        load_pack(root, strict=strict)
    return e.value.problems


def only(root, rule):
    """The problems of one rule, after checking that no other rule fired."""
    found = problems(root)
    assert {p.rule for p in found} == {rule}, [str(p) for p in found]
    return found


def test_clean_pack_passes_every_rule(pack):
    loaded = load_pack(pack.root, strict=True)
    assert list(loaded.procedures) == ["essai"]
    assert loaded.procedures["essai"].steps[0].image == pack.root / "images" / "ecran.png"


def test_yaml_error_names_the_line(pack):
    path = pack.replace("    kind: question\n", "    kind: question\n   bad indent: [\n")
    (p,) = only(pack.root, "yaml")
    assert p.file == path and p.line in (25, 26)


def test_schema_error_names_the_field_and_line(pack):
    pack.replace("    title: La suite\n", "")
    found = only(pack.root, "schema")
    assert {p.line for p in found} == {LINE["fin"]}
    assert any("'title' is a required property" in p.message for p in found)


def test_papers_mark_belongs_to_checklists_only(pack):
    pack.replace("    kind: info\n    title: Vous avez un compte\n",
                 "    kind: info\n    papers: true\n    title: Vous avez un compte\n")
    found = only(pack.root, "schema")
    assert {p.line for p in found} == {LINE["oui"]}
    assert any("'papers' was unexpected" in p.message for p in found)


@pytest.mark.parametrize("old, new, step", [
    ("    kind: question\n", "    kind: question\n    next: fin\n", "question"),  # choices lead on
    ("    title: La suite\n", "    title: La suite\n    next: intro\n", "fin"),
    ("    title: La suite\n", "    title: La suite\n    text: Jamais affiché.\n", "fin"),
])
def test_keys_a_step_kind_would_ignore_are_refused(pack, old, new, step):
    pack.replace(old, new)
    found = only(pack.root, "schema")
    assert {p.line for p in found} == {LINE[step]}


def test_a_procedure_file_that_would_not_be_read(pack):
    pack.write("autre.yml", "id: autre\n")
    (p,) = only(pack.root, "file-name")
    assert p.file.name == "autre.yml" and "autre.yaml" in p.message


def test_unknown_category(pack):
    pack.replace("category: papiers", "category: inconnue")
    (p,) = only(pack.root, "category")
    assert p.line == 2 and "inconnue" in p.message


def test_step_id_used_twice(pack):
    pack.replace("  - id: oui\n", "  - id: intro\n")
    found = problems(pack.root)
    assert [(p.rule, p.line) for p in found if p.rule == "unique-step"] == [("unique-step", LINE["oui"])]


def test_procedure_id_used_twice(pack):
    pack.write("copie.yaml", (pack.root / "procedures" / "essai.yaml").read_text(encoding="utf-8"))
    (p,) = only(pack.root, "unique-procedure")
    assert p.file.name == "essai.yaml" and p.line == 1 and "copie.yaml" in p.message


def test_next_to_an_unknown_step(pack):
    pack.replace("    next: fin\n", "    next: nulle-part\n")
    (p,) = only(pack.root, "next")
    assert p.line == LINE["oui"] + 4 and "nulle-part" in p.message


def test_choice_to_an_unknown_step(pack):
    pack.replace("        next: non\n", "        next: ailleurs\n")
    found = problems(pack.root)
    assert ("next", LINE["question"] + 7) in [(p.rule, p.line) for p in found]


def test_dead_end_is_not_also_a_loop(pack):
    pack.replace("    kind: end\n    title: La suite\n    todo:\n      - Revenez demain.\n",
                 "    kind: info\n    title: La suite\n    text: Au revoir.\n")
    (p,) = only(pack.root, "dead-end")
    assert p.line == LINE["fin"] and "fin" in p.message


def test_unreachable_step(pack):
    pack.replace("        next: non\n", "        next: oui\n")
    (p,) = only(pack.root, "unreachable")
    assert p.line == LINE["non"] and "« non »" in p.message


def test_loop_without_exit(pack):
    # question -> oui <-> non: the end step can no longer be reached from either.
    pack.replace("    next: fin\n", "    next: non\n")
    pack.replace("    text: \"Touchez «\u00a0Créer un compte\u00a0».\"\n",
                 "    text: \"Touchez «\u00a0Créer un compte\u00a0».\"\n    next: oui\n")
    found = problems(pack.root)
    loops = [p for p in found if p.rule == "no-exit"]
    assert len(loops) == 1 and loops[0].line == LINE["oui"]
    assert "« oui »" in loops[0].message and "« non »" in loops[0].message
    assert {p.rule for p in found} == {"no-exit", "unreachable"}  # fin is unreachable too


def test_loop_with_an_exit_is_fine(pack):
    # A "try again" loop back to the question is allowed: "non" still leads to the end.
    pack.replace("    next: fin\n", "    next: question\n")
    load_pack(pack.root, strict=True)


def test_missing_image(pack):
    (pack.root / "images" / "ecran.png").unlink()
    (p,) = only(pack.root, "image")
    assert p.line == LINE["intro"] + 3 and "images/ecran.png" in p.message


@pytest.mark.parametrize("alt_line", ["", "    image_alt: \"  \"\n"])
def test_an_image_needs_a_spoken_description(pack, alt_line):
    pack.replace("    image_alt: La page d'accueil du site, avec le bouton Se connecter en haut.\n", alt_line)
    (p,) = only(pack.root, "image-alt")
    assert p.line == LINE["intro"] + 3 and "image_alt" in p.message


def test_the_description_reaches_the_spoken_step(pack):
    step = load_pack(pack.root).procedures["essai"].steps[0]
    assert step.image_alt.startswith("La page d'accueil du site")


def test_image_outside_the_pack(pack):
    pack.replace("image: images/ecran.png", "image: ../../etc/passwd")
    (p,) = only(pack.root, "image")
    assert "outside" in p.message


@pytest.mark.parametrize("old, new, line", [
    ("url: https://www.service-public.fr", "url: https://www.service-public.fr.example.com", 12),
    ("url: https://www.service-public.fr", "url: https://faux-impots.fr/connexion", 12),
    ("      Première phrase courte.", "      Allez sur https://www.arnaque.com pour voir.", LINE["intro"] + 5),
])
def test_link_outside_the_official_sites(pack, old, new, line):
    pack.replace(old, new)
    (p,) = only(pack.root, "domain")
    assert p.line == line


def test_subdomain_of_an_official_site_is_allowed(pack):
    pack.replace("url: https://www.service-public.fr", "url: https://rendezvouspasseport.ants.gouv.fr")
    load_pack(pack.root, strict=True)


def test_sentence_too_long_points_at_its_line_in_a_block_text(pack):
    pack.replace("Deuxième phrase, toujours courte.", "Deuxième phrase. " + LONG_SENTENCE.capitalize())
    (p,) = only(pack.root, "sentence-length")
    assert p.line == LINE["intro"] + 6 and "21 words" in p.message


def test_sentence_too_long_on_the_second_line_of_a_plain_text(pack):
    pack.replace("summary: Vous faites un essai. C'est simple.",
                 "summary: Vous faites un essai.\n  " + LONG_SENTENCE.capitalize())
    (p,) = only(pack.root, "sentence-length")
    assert p.line == 5


def test_twenty_words_is_the_limit(pack):
    pack.replace("      - Revenez demain.", "      - " + " ".join(["Mot"] + ["mot"] * 19) + ".")
    load_pack(pack.root, strict=True)


def test_phone_number_counts_as_one_word(pack):
    pack.replace("      - Revenez demain.",
                 "      - " + " ".join(["Appelez"] + ["mot"] * 14) + " au 01 70 772 372.")
    load_pack(pack.root, strict=True)


@pytest.mark.parametrize("old, new, line", [
    ("summary: Vous faites un essai.", "summary: ATTENTION, vous faites un essai.", 4),
    ("      - Revenez demain.", "      - NE PAS OUBLIER", LINE["fin"] + 4),
    ("    title: La suite", "    title: LA SUITE", LINE["fin"] + 2),
    ("      - label: Oui\n", "      - label: OUI MERCI\n", LINE["question"] + 4),
])
def test_capitals(pack, old, new, line):
    pack.replace(old, new)
    (p,) = only(pack.root, "all-caps")
    assert p.line == line


def test_short_acronyms_and_official_names_in_capitals_are_fine(pack):
    pack.replace("      - Revenez demain.", "      - Allez à la CAF ou à l'URSSAF avec votre RIB.\n      - CAF, ANTS")
    load_pack(pack.root, strict=True)


@pytest.mark.parametrize("old, new, what", [
    ('title: "Avez-vous un compte\u00a0?"', 'title: "Avez-vous un compte ?"', "space before « ? »"),
    ('title: "Avez-vous un compte\u00a0?"', 'title: "Avez-vous un compte?"', "nothing before « ? »"),
    ('title: "Avez-vous un compte\u00a0?"', 'title: "Avez-vous un compte\u202f?"', "U+202F"),
    ("    text: \"Touchez «\u00a0Se connecter\u00a0».\"", "    text: Touchez « Se connecter ».",
     "followed by a no-break space"),
    ("    text: \"Touchez «\u00a0Se connecter\u00a0».\"", "    text: 'Touchez \"Se connecter\".'",
     "straight quote"),
])
def test_typography(pack, old, new, what):
    pack.replace(old, new)
    found = only(pack.root, "typography")
    assert any(what in p.message for p in found), [str(p) for p in found]


def test_punctuation_inside_a_time_a_link_or_a_code_is_not_prose(pack):
    pack.replace("      - Revenez demain.",
                 "      - Revenez demain à 9:30 sur https://www.service-public.fr/x?y=1.\n"
                 "      - Un mot de passe comme «\u00a0Chat!Bleu;42\u00a0» est solide.")
    load_pack(pack.root, strict=True)


def test_character_the_font_cannot_draw(pack):
    pack.replace("      - Revenez demain.", "      - Revenez demain ✓")
    (p,) = only(pack.root, "glyph")
    assert p.line == LINE["fin"] + 4 and "U+2713" in p.message


def test_unknown_icon(pack):
    path = pack.replace("icon: email-outline", "icon: email-outlined", name="categories.yaml")
    (p,) = only(pack.root, "icon")
    assert p.file == path and p.line == 7


def test_writing_rules_apply_to_category_titles(pack):
    pack.replace("title: Internet et e-mail", "title: INTERNET ET EMAIL", name="categories.yaml")
    (p,) = only(pack.root, "all-caps")
    assert p.line == 6


def test_the_kiosk_itself_only_stops_on_structure(pack):
    """A long sentence must not keep the kiosk from starting; a broken branch must."""
    pack.replace("      - Revenez demain.", "      - " + LONG_SENTENCE.capitalize())
    assert "essai" in load_pack(pack.root).procedures
    pack.replace("category: papiers", "category: inconnue")
    assert [p.rule for p in problems(pack.root, strict=False)] == ["category"]


def test_locale_files(tmp_path):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entries = {"part.ok": f"Bonjour{NBSP}! Touchez «{NBSP}Suivant{NBSP}».", "part.space": "Bonjour !",
               "part.glyph": "Fini ✓"}
    header = ['msgid ""', 'msgstr ""', '"Language: fr\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"',
              '"Plural-Forms: nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\\n"']
    body = [f'\nmsgctxt "{key}"\nmsgid "{text}"\nmsgstr "{text}"' for key, text in entries.items()]
    (folder / "part.po").write_text("\n".join(header + body) + "\n", encoding="utf-8")
    found = locale_problems(tmp_path)
    # Each problem on its msgid's line.
    assert [(p.rule, p.line, p.message.split(":")[0]) for p in found] == [
        ("locale", 12, "part.space"), ("locale", 16, "part.glyph")]


def test_shipped_locale_files_pass():
    assert [str(p) for p in locale_problems(ASSETS_DIR / "locales")] == []


def test_shipped_content_pack_passes_every_rule():
    pack = load_pack(ASSETS_DIR / "content", strict=True)
    assert len(pack.procedures) >= 10


def test_cli_reports_every_problem_and_exits_1(pack, capsys):
    pack.replace("category: papiers", "category: inconnue")
    pack.replace("      - Revenez demain.", "      - NE PAS OUBLIER")
    assert main(["content", "validate", str(pack.root)]) == 1
    err = capsys.readouterr().err.splitlines()
    path = pack.root / "procedures" / "essai.yaml"
    assert f"{path}:2: [category] unknown category « inconnue »: use one listed in categories.yaml" in err
    assert any(line.startswith(f"{path}:{LINE['fin'] + 4}: [all-caps] ") for line in err)
    assert err[-1] == f"2 problem(s) in {pack.root}"


def test_cli_counts_what_it_checked(pack, capsys):
    assert main(["content", "validate", str(pack.root)]) == 0
    assert capsys.readouterr().out == f"{pack.root}: OK, 1 procedures, 5 steps, 2 categories checked\n"


def test_cli_checks_locales_on_request(pack, tmp_path, capsys):
    (tmp_path / "loc" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "loc" / "fr" / "LC_MESSAGES" / "x.po").write_text(
        'msgctxt "x.a"\nmsgid "Oui !"\nmsgstr "Oui !"\n', encoding="utf-8")
    assert main(["content", "validate", str(pack.root)]) == 0
    assert main(["content", "validate", str(pack.root), "--locales", str(tmp_path / "loc")]) == 1
    assert "[locale] x.a: typography:" in capsys.readouterr().err


def test_cli_bad_path_exits_2(tmp_path, capsys):
    assert main(["content", "validate", str(tmp_path / "absent")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_pack_without_procedures(pack):
    (pack.root / "procedures" / "essai.yaml").unlink()
    (p,) = only(pack.root, "empty")
    assert p.file == pack.root / "procedures"


def test_pack_without_categories_file(pack):
    (pack.root / "categories.yaml").unlink()
    found = problems(pack.root)
    assert found[0].rule == "yaml" and found[0].file == pack.root / "categories.yaml"


def test_site_image_alt_checked_on_and_sources_reach_the_model(pack):
    pack.replace(f"checked_on: {date.today().isoformat()}\nsources: [https://www.service-public.fr]\n",
                 "checked_on: 2026-11-30\nsources: [https://www.service-public.fr/a]\n")
    pack.replace("    image_alt: La page d'accueil du site, avec le bouton Se connecter en haut.\n",
                 "    image_alt: L'écran d'accueil du site.\n"
                 "    site: https://www.service-public.fr/b\n")
    loaded = load_pack(pack.root).procedures["essai"]
    assert loaded.checked_on == "2026-11-30"
    assert loaded.sources == ("https://www.service-public.fr/a",)
    assert loaded.steps[0].site == "https://www.service-public.fr/b"
    assert loaded.steps[0].image_alt == "L'écran d'accueil du site."


def test_a_site_must_be_https(pack):
    pack.replace("    image: images/ecran.png\n",
                 "    image: images/ecran.png\n    site: http://www.service-public.fr/b\n")
    assert {p.rule for p in problems(pack.root)} == {"schema"}


SOURCES_LINES = f"checked_on: {date.today().isoformat()}\nsources: [https://www.service-public.fr]\n"


def test_a_procedure_without_sources_is_refused_by_validate_but_the_kiosk_starts(pack):
    pack.replace("sources: [https://www.service-public.fr]\n", "")
    (p,) = only(pack.root, "sources")
    assert p.line == 1 and "official pages" in p.message
    pack.replace(f"checked_on: {date.today().isoformat()}\n", f"checked_on: {date.today().isoformat()}\nsources: []\n")
    (p,) = only(pack.root, "sources")
    assert p.line == LINE["fin"] + 6
    assert "essai" in load_pack(pack.root).procedures  # old facts or none listed: the kiosk still runs


@pytest.mark.parametrize("new, message", [
    ("sources: [https://www.service-public.fr]\n", "no « checked_on »"),
    ("checked_on: 2026-02-30\nsources: [https://www.service-public.fr]\n", "2026-02-30 » is not a real date"),
])
def test_checked_on_is_required_and_a_real_day(pack, new, message):
    pack.replace(SOURCES_LINES, new)
    (p,) = only(pack.root, "checked-on")
    assert message in p.message


def test_sources_are_official_sites(pack):
    pack.replace("sources: [https://www.service-public.fr]", "sources: [https://www.service-public.fr, https://blog.example.com/rsa]")
    (p,) = only(pack.root, "domain")
    assert "blog.example.com" in p.message and p.line == LINE["fin"] + 6


@pytest.mark.parametrize("checked_on, today, due", [
    ("2025-12-02", date(2026, 12, 2), False),   # exactly 12 months: still fine
    ("2025-12-02", date(2026, 12, 3), True),    # one day more: due
    ("2024-02-29", date(2025, 2, 28), False),   # no 29 February next year: the 28th is the last day
    ("2024-02-29", date(2025, 3, 1), True),
    (None, date(2026, 12, 2), True),            # never dated: due
])
def test_a_procedure_is_due_for_review_more_than_12_months_after_its_check(checked_on, today, due):
    assert is_due_for_review(checked_on, today) is due


def test_review_deadline_keeps_the_day_when_it_exists():
    assert review_deadline(date(2026, 1, 31)) == date(2027, 1, 31)
    assert review_deadline(date(2026, 12, 2)) == date(2027, 12, 2)


def test_cli_warns_about_old_facts_but_does_not_fail(pack, capsys):
    pack.replace(SOURCES_LINES, "checked_on: 2020-01-15\nsources: [https://www.service-public.fr]\n")
    assert main(["content", "validate", str(pack.root)]) == 0
    out = capsys.readouterr()
    assert "; 1 due for review (checked more than 12 months ago)" in out.out
    path = pack.root / "procedures" / "essai.yaml"
    assert f"{path}: [review] « essai » checked on 2020-01-15, more than 12 months ago" in out.err


def test_due_list_is_oldest_first_and_pack_date_is_the_newest_check():
    from types import SimpleNamespace as P
    procs = [P(id="b", checked_on="2024-05-01"), P(id="a", checked_on="2026-11-22"),
             P(id="c", checked_on=None), P(id="d", checked_on="2023-01-01")]
    assert [p.id for p in due_for_review(procs, date(2026, 12, 2))] == ["c", "d", "b"]
    assert pack_date(procs) == "2026-11-22"
    assert pack_date([P(id="c", checked_on=None)]) is None


def test_every_shipped_procedure_is_dated_and_sourced():
    pack = load_pack(ASSETS_DIR / "content", strict=True)
    undated = [p.id for p in pack.procedures.values() if not p.checked_on or not p.sources]
    assert undated == []
