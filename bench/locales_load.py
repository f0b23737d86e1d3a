"""How long the interface catalogs take to load: French and Arabic, as the kiosk loads them
at start (kiosk.i18n.Catalog; Arabic also reads French, its fallback). Start-up time
matters (issue 11).

  warm   in this process, modules already imported: Catalog("fr") then Catalog("ar")
  cold   a fresh process: `import kiosk.i18n` (and what it imports) plus both catalogs;
         with .mo files the first start compiles them (cold, no cache), later starts
         read the compiled cache (cold, cached)

Each figure is the median of --runs (time.perf_counter). --tree measures another source
tree, e.g. /work/main for the JSON catalogs before issue 15's gettext ones.

Figures (2026-12-04, the 2-core machine shared with two other agents, load avg 2.3-3.0;
median of 5, two alternating runs of each tree):
                                 warm        cold, no cache   cold, cached
  JSON catalogs (main 8163282)   0.7-0.8 ms  41-44 ms         40-44 ms
  .po + Babel, .mo cache         5.0-5.4 ms  80-90 ms         44-45 ms
The first start after a .po changes imports Babel (~19 ms) and parses the .po files
(read_po: fr 14 ms, ar 3 ms, each language under the 40 ms where compiling at install
would be needed); later starts read the cached .mo files. Most of the cold time is
kiosk.config's import (27 ms), the same in both. Warm: Catalog("ar") reads its French
fallback's .mo files too (gettext parses each, its Plural-Forms formula compiled by exec).

    .venv/bin/python bench/locales_load.py [--runs 5] [--tree DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CHILD = """
import sys, time
started = time.perf_counter()
from kiosk.i18n import Catalog
Catalog("fr"); Catalog("ar")
print(time.perf_counter() - started)
"""


def warm_ms(runs: int) -> float:
    from kiosk.i18n import Catalog
    Catalog("fr")  # imports, first reads (and compiles the cache, if the tree has one)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        Catalog("fr")
        Catalog("ar")
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def cold_ms(tree: Path, runs: int, cache_dir: str | None) -> float:
    times = []
    for _ in range(runs):
        env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
        with tempfile.TemporaryDirectory() as fresh:
            env["XDG_CACHE_HOME"] = cache_dir or fresh
            done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env,
                                  cwd=tree, check=True)
        times.append(float(done.stdout.split()[-1]))
    return statistics.median(times) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tree", type=Path, default=HERE)
    p.add_argument("--child-warm", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child_warm:
        print(warm_ms(args.runs))
        return
    env = {**os.environ, "PYTHONPATH": str(args.tree)}
    warm = subprocess.run([sys.executable, __file__, "--child-warm", "--runs", str(args.runs)], env=env,
                          cwd=args.tree, capture_output=True, text=True, check=True)
    print(f"{args.tree}: fr + ar, median of {args.runs}")
    print(f"  warm                {float(warm.stdout.split()[-1]):7.1f} ms")
    print(f"  cold, no cache      {cold_ms(args.tree, args.runs, None):7.1f} ms")
    with tempfile.TemporaryDirectory() as shared:
        cold_ms(args.tree, 1, shared)  # fills the cache, if the tree has one
        print(f"  cold, cached        {cold_ms(args.tree, args.runs, shared):7.1f} ms")


if __name__ == "__main__":
    main()
