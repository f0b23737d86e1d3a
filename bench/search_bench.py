"""How long one keystroke of search takes on a 1,000-procedure catalog.

The home screen searches on every keystroke, on the UI thread: each search must fit in
one frame (16 ms at 60 Hz) with room to spare for drawing. The catalog is made by varying
the real procedures of assets/content (titles, keywords, summaries, with words taken from
their steps) so that the vocabulary has a realistic size and shape.

Run:  .venv/bin/python bench/search_bench.py [--procedures 1000] [--rounds 30]
Prints the index build time, then per query the median, p95 and max milliseconds per
keystroke, typing each query one character at a time ("i", "im", "imp", ...):
- "session": a visitor typing, the word cache cleared before each query typed;
- "cold": the cache cleared before every keystroke (worst case).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.config import ASSETS_DIR  # noqa: E402
from kiosk.content.loader import load_pack  # noqa: E402
from kiosk.content.model import ContentPack, Procedure  # noqa: E402
from kiosk.content.search import SearchIndex, normalise  # noqa: E402

FRAME_MS = 16.0

QUERIES = [
    "impot", "carte identite", "ameli", "mail", "pole emploi",
    "declarer ses revenus", "mot de passe oublie", "rendez vous medecin", "carte vitale",
    "logement social", "attestation de droits", "inscription france travail",
    "poel emploi", "carte identitee", "Impôts", "comment faire ma declaration d'impot",
]

VARIANTS = [
    "", "pour un proche", "à l'étranger", "en cas de perte", "après un déménagement",
    "pour la première fois", "quand on est à la retraite", "avec un téléphone", "sur un ordinateur",
    "en cas de vol", "pour un enfant", "en urgence", "avec FranceConnect", "sans adresse e-mail",
    "pour une personne âgée", "après un mariage", "après un décès", "en tant que locataire",
    "pour un étudiant", "quand on a un handicap", "en cas de changement de situation",
    "pour un travailleur indépendant", "depuis une tablette", "avec l'aide d'un conseiller",
    "en cas d'erreur", "hors de France",
]


def _all_texts(proc: Procedure) -> list[str]:
    texts = [proc.title, proc.summary, *proc.keywords, *proc.before_you_start]
    for s in proc.steps:
        texts += [s.title, s.text or "", *(i.label for i in s.items), *(c.label for c in s.choices),
                  *s.done, *s.todo, *s.bring, s.where or ""]
    return texts


def _word_pool(originals: list[Procedure], target: int, rng: random.Random) -> list[str]:
    """Words of the real pack, grown to `target` with French-looking derived forms.

    A real catalog of 1,000 procedures says more than 43 do: derived words (préfixes and
    suffixes on real stems) give the index a vocabulary of that size to search through.
    """
    pool = sorted({w.strip(".,;:!?«»()").lower() for p in originals for t in _all_texts(p)
                   for w in t.split() if len(w) > 3})
    pool = [w for w in pool if w.isalpha()]
    grown = set(pool)
    prefixes = ("re", "dé", "pré", "sur", "contre", "auto", "inter")
    suffixes = ("ment", "tion", "age", "eur", "ence", "able", "iste", "ité", "ier")
    while len(grown) < target:
        stem = rng.choice(pool)
        grown.add(rng.choice(prefixes) + stem if rng.random() < 0.4 else stem[:-1] + rng.choice(suffixes))
    return sorted(grown)


def synthetic_pack(real: ContentPack, size: int, vocabulary: int = 5000, seed: int = 1) -> ContentPack:
    rng = random.Random(seed)
    originals = sorted(real.procedures.values(), key=lambda p: p.id)
    pool = _word_pool(originals, vocabulary, rng)
    procedures: dict[str, Procedure] = {}
    n = 0
    while len(procedures) < size:
        base = originals[n % len(originals)]
        variant = VARIANTS[(n // len(originals)) % len(VARIANTS)]
        n += 1
        pid = f"{base.id}-{n}"
        procedures[pid] = dataclasses.replace(
            base, id=pid, title=f"{base.title} {variant}".strip(),
            summary=f"{base.summary} {' '.join(rng.sample(pool, 12))}",
            keywords=base.keywords + tuple(rng.sample(pool, 6)),
            popularity=rng.randint(0, 100), _by_id={})
    return ContentPack(root=real.root, categories=real.categories, procedures=procedures)


def ms(samples: list[float]) -> tuple[float, float, float]:
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    return statistics.median(samples), p95, max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    pack = synthetic_pack(load_pack(ASSETS_DIR / "content"), args.procedures)
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        index = SearchIndex(pack)
        builds.append((time.perf_counter() - start) * 1000)
    vocabulary = len(index._vocabulary)
    print(f"catalog: {len(index)} procedures, {vocabulary} distinct words")
    print(f"index build: median {statistics.median(builds):.1f} ms, max {max(builds):.1f} ms (5 builds)")

    session: dict[str, list[float]] = {q: [] for q in QUERIES}
    cold: list[float] = []
    for _ in range(args.rounds):
        for query in QUERIES:
            index._cache.clear()
            for end in range(1, len(query) + 1):
                start = time.perf_counter()
                index.search(query[:end])
                session[query].append((time.perf_counter() - start) * 1000)
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                index._cache.clear()
                start = time.perf_counter()
                index.search(query[:end])
                cold.append((time.perf_counter() - start) * 1000)

    print(f"\nms per keystroke, {args.rounds} rounds ({FRAME_MS:.0f} ms = one frame at 60 Hz)")
    print(f"{'query':40} {'keys':>4} {'median':>7} {'p95':>7} {'max':>7}")
    for query, samples in session.items():
        med, p95, top = ms(samples)
        print(f"{query:40} {len(query):4} {med:7.2f} {p95:7.2f} {top:7.2f}")
    every = [s for samples in session.values() for s in samples]
    med, p95, top = ms(every)
    print(f"{'all keystrokes (session)':40} {len(every):4} {med:7.2f} {p95:7.2f} {top:7.2f}")
    med, p95, top = ms(cold)
    print(f"{'all keystrokes (cold cache)':40} {len(cold):4} {med:7.2f} {p95:7.2f} {top:7.2f}")
    over = sum(1 for s in every + cold if s > FRAME_MS)
    print(f"\nkeystrokes over one frame: {over} of {len(every) + len(cold)}")
    print("first result on the synthetic catalog (base procedure):")
    for q in QUERIES[:5]:
        print(f"  {normalise(q)} -> {index.search(q, 1)[0].id.rsplit('-', 1)[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
