"""Search as a visitor types it, on the real pack and on small made-up catalogs."""

from pathlib import Path

import pytest

from kiosk.content.model import Category, ContentPack, Procedure, Step
from kiosk.content.search import MIN_USAGE_TOTAL, SearchIndex, home_categories, home_order, normalise


def proc(pid, title, keywords=(), summary="Une démarche.", popularity=50, category="a"):
    steps = (Step(id="debut", kind="info", title="Début", text="Texte.", next="fin"),
             Step(id="fin", kind="end", title="Fin", todo=("Rien.",)))
    return Procedure(id=pid, category=category, title=title, summary=summary, keywords=tuple(keywords),
                     duration_min=5, before_you_start=(), links=(), popularity=popularity, steps=steps,
                     source=Path(f"{pid}.yaml"))


def catalog(*procedures, categories=("a", "b")):
    return ContentPack(root=Path("."),
                       categories=tuple(Category(c, c.upper(), "cash", i) for i, c in enumerate(categories)),
                       procedures={p.id: p for p in procedures})


@pytest.fixture(scope="module")
def real_index(real_pack):
    return SearchIndex(real_pack)


def first(index, query):
    found = index.search(query)
    assert found, f"nothing found for {query!r}"
    return found[0].id


# The five queries of the brief, with capitals, accents, a typo or an old name.
@pytest.mark.parametrize("query", ["impot", "IMPOTS", "impôt", "Impôts", "impto", "imot", "impots.gouv"])
def test_impot(real_index, query):
    # « Déclarer ses impôts », the most asked-for tax procedure, before opening the account.
    assert first(real_index, query) == "impots-declarer-ses-revenus"


@pytest.mark.parametrize("query", ["carte identite", "Carte d'Identité", "CARTE IDENTITE", "carte identitee",
                                   "carte idantite", "crate identite", "cni", "CNI", "carte d'id"])
def test_carte_identite(real_index, query):
    assert first(real_index, query) == "ants-pre-demande-carte-identite"


@pytest.mark.parametrize("query", ["ameli", "AMELI", "Améli", "amelli", "amelie", "secu", "sécu", "securite sociale"])
def test_ameli(real_index, query):
    assert first(real_index, query).startswith("ameli-")


@pytest.mark.parametrize("query", ["mail", "MAIL", "e-mail", "Email", "mial", "courriel", "adresse mail"])
def test_mail(real_index, query):
    assert first(real_index, query) == "creer-adresse-email"


@pytest.mark.parametrize("query", ["pole emploi", "Pôle Emploi", "POLE EMPLOI", "pole emplois", "poel emploi",
                                   "pole emploie", "pole em", "anpe", "france travail"])
def test_pole_emploi(real_index, query):
    assert first(real_index, query).startswith("france-travail-")


def test_every_keystroke_of_carte_identite_keeps_it_first_once_the_second_word_starts(real_index):
    query = "carte identite"
    for end in range(len("carte i"), len(query) + 1):
        assert first(real_index, query[:end]) == "ants-pre-demande-carte-identite", query[:end]


@pytest.mark.parametrize("query", ["", "   ", "de la ", "le ", "?!", "’"])
def test_no_query_finds_nothing(real_index, query):
    assert real_index.search(query) == []


def test_nothing_matches(real_index):
    assert real_index.search("xqzwv") == []


def test_limit(real_index):
    assert len(real_index.search("a", limit=3)) == 3


def test_normalise():
    assert normalise("  Pôle  EMPLOI’s «\u00a0Œuvre\u00a0» ") == "pole emploi s oeuvre"


def test_old_name_finds_the_new_one_without_a_keyword():
    index = SearchIndex(catalog(
        proc("ft", "S'inscrire à France Travail", ["inscription"]),
        proc("cv", "Créer son CV", ["emploi", "travail"]),
        proc("mail", "Créer une adresse e-mail", ["messagerie"])))
    assert first(index, "pole emploi") == "ft"
    assert first(index, "courriel") == "mail"


def test_a_word_the_catalog_knows_is_not_taken_for_a_typo():
    index = SearchIndex(catalog(
        proc("lettre", "Écrire une lettre", ["courrier"], popularity=10),
        proc("mail", "Créer une adresse e-mail", ["messagerie"], popularity=90)))
    assert first(index, "courrier") == "lettre"   # not "courriel", the e-mail synonym
    assert first(index, "courriell") == "mail"    # this one is a typo


def test_ties_go_to_the_most_popular():
    index = SearchIndex(catalog(proc("rare", "Payer une amende", popularity=10),
                                proc("commun", "Payer une facture", popularity=90)))
    assert [p.id for p in index.search("payer")] == ["commun", "rare"]


def test_title_counts_more_than_keywords_and_keywords_more_than_summary():
    index = SearchIndex(catalog(
        proc("resume", "Autre chose", summary="On parle de vitale ici.", popularity=99),
        proc("motcle", "Encore autre chose", ["vitale"], popularity=98),
        proc("titre", "Carte Vitale", popularity=1)))
    assert [p.id for p in index.search("vitale")] == ["titre", "motcle", "resume"]


def test_exact_word_beats_prefix_which_beats_typo():
    index = SearchIndex(catalog(proc("typo", "Le carre", popularity=99),
                                proc("prefixe", "Le cartel", popularity=98),
                                proc("exact", "La carte", popularity=1)))
    assert [p.id for p in index.search("carte")] == ["exact", "prefixe", "typo"]


def test_a_stop_word_being_typed_may_start_a_real_word():
    index = SearchIndex(catalog(proc("logement", "Aide au logement")))
    assert [p.id for p in index.search("l")] == ["logement"]
    assert index.search("l ") == []


def test_all_words_must_match_else_the_best_partial_matches():
    index = SearchIndex(catalog(proc("grise", "Carte grise", popularity=10),
                                proc("vitale", "Carte vitale", popularity=90)))
    assert [p.id for p in index.search("carte grise")] == ["grise"]
    assert [p.id for p in index.search("carte xqzwv")] == ["vitale", "grise"]


def test_phrase_in_title_beats_scattered_words():
    index = SearchIndex(catalog(proc("epars", "Identité sur la carte", popularity=90),
                                proc("phrase", "Refaire sa carte d'identité", popularity=10)))
    assert first(index, "carte identite") == "phrase"


def test_home_order_uses_popularity_until_statistics_are_meaningful():
    pack = catalog(proc("p10", "Dix", popularity=10), proc("p90", "Quatre-vingt-dix", popularity=90),
                   proc("p50", "Cinquante", popularity=50, category="b"))
    assert [p.id for p in home_order(pack)] == ["p90", "p50", "p10"]
    assert [p.id for p in home_order(pack, {"p10": 3})] == ["p90", "p50", "p10"]
    used = {"p10": MIN_USAGE_TOTAL, "p50": 1}
    assert [p.id for p in home_order(pack, used)] == ["p10", "p50", "p90"]
    assert [p.id for p in home_order(pack, used, category="a")] == ["p10", "p90"]


def test_home_categories_skip_empty_ones():
    pack = catalog(proc("x", "X", category="b"), categories=("a", "b", "c"))
    assert [c.id for c in home_categories(pack)] == ["b"]


def test_real_home_order_starts_with_the_most_popular(real_pack):
    order = home_order(real_pack)
    assert len(order) == len(real_pack.procedures)
    assert [p.popularity for p in order] == sorted((p.popularity for p in order), reverse=True)
