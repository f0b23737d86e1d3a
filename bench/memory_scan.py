"""Copies of typed text left in the kiosk's memory after a verified wipe, per design.

    PYTHONPATH=. .venv/bin/python bench/memory_scan.py [--runs N] [--variant NAME ...]

Each run starts the real kiosk in a subprocess (tests/screens/memory_driver.py), types a
fresh canary into the home search and a field step with real touches, ends the visit with
« Terminer et effacer mes informations », waits for the verified wipe and scans the
process's memory (see tests/screens/test_memory_scan.py). Variants set the environment the
interpreter starts with. Prints copies found (whole / typed prefixes ≥ 6 chars) and where.

Measured 2026-12-02 on the shared 2-core machine (load 5 to 14, so wall times wander):
- pymalloc (before), 4 runs: field 2 whole + 12 prefixes every run, search 1–2 + 7–12;
  malloc+perturb before the search cache was wiped: field 0, search 1 + 5 (a live cache).
- kiosk (after, by re-exec) 4 runs and kiosk-launcher 3 runs: 0 copies, 0 prefixes.
- RSS after the visit: 482–501 MiB before, 534–574 MiB after (about +60 MiB).
- CPU per tap (3 frames drawn by llvmpipe): median 152 ms before, 158 ms after: within noise.
  Start to the first frames: 1.9–4.6 s before, 1.4–4.2 s after (build CPU about 1 s both).
- --reexec 10: `kiosk run` to its first line 880 ms with the launchers' environment,
  1499 ms when it has to start itself again (+0.6 s, once per start, never per visit).

Measured 2026-12-03 (after the wave-3 merges; load as above), 2 runs each, interleaved:
- malloc+perturb (glibc's tcache and fast bins on): field 1 whole copy every run, in [heap]
  (a freed `textinput.label` cache key kept whole by the tcache, which free() does not
  perturb); the test's own runs: field 0–2, search 0–1 seven-character prefix.
- kiosk (GLIBC_TUNABLES tcache_count=0:mxfast=0 added): 0 copies, 0 prefixes (and 7 runs
  of tests/screens/test_memory_scan.py in a row: 0).
- CPU per tap 83–84 ms before, 97–98 ms after (+16 %); build CPU 1.00–1.07 s before,
  1.03–1.14 s after; RSS after the visit 910–921 MiB before, 862–889 MiB after.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.screens.memory_driver import scan_memory  # noqa: E402
from tests.screens.test_memory_scan import canary, start_kiosk, wait_line  # noqa: E402

AS_IS = {"PAS_A_PAS_TEST_ALLOCATOR": "as-is"}
NO_TUNABLES = {"GLIBC_TUNABLES": ""}
TUNABLES = {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0"}
VARIANTS = {
    # Before: the interpreter's defaults.
    "pymalloc": {**AS_IS, **NO_TUNABLES, "PYTHONMALLOC": "", "MALLOC_PERTURB_": ""},
    "malloc": {**AS_IS, **NO_TUNABLES, "PYTHONMALLOC": "malloc", "MALLOC_PERTURB_": ""},
    # Before, 2026-12-02 to 12-03: glibc's per-thread cache and fast bins left unperturbed.
    "malloc+perturb": {**AS_IS, **NO_TUNABLES, "PYTHONMALLOC": "malloc", "MALLOC_PERTURB_": "165"},
    # After: what `kiosk run` starts with (kiosk.privacy.WIPING_ALLOCATOR, by its re-exec).
    "kiosk": {"PAS_A_PAS_TEST_ALLOCATOR": "", **NO_TUNABLES, "PYTHONMALLOC": "", "MALLOC_PERTURB_": ""},
    # After, as systemd/pas-a-pas-app starts it: the allocator set, no re-exec.
    "kiosk-launcher": {"PAS_A_PAS_TEST_ALLOCATOR": "", **TUNABLES, "PYTHONMALLOC": "malloc", "MALLOC_PERTURB_": "165"},
}


def one_run(variant: dict[str, str]) -> dict:
    saved = {k: os.environ.get(k) for k in variant}
    for key, value in variant.items():
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            field, search = canary("Q"), canary("W")
            t0 = time.monotonic()
            proc = start_kiosk(Path(tmp), field, search)
            built = wait_line(proc, "BUILT ", 60).split()
            result_start = time.monotonic() - t0
            taps = wait_line(proc, "TAPS ", 90).split()
            wait_line(proc, "WIPED", 30)
            t_wiped = time.monotonic()
            pid = int(wait_line(proc, "SCAN ", 30).split()[1])
            time.sleep(1.0)
            t_scan = time.monotonic()
            result = scan_memory(pid, {"field": field, "search": search.lower()})
            result["scan_s"] = time.monotonic() - t_scan
            result["start_s"] = result_start  # Popen to the first frames drawn, re-exec included
            result["build_cpu_s"] = float(built[2])
            n = int(taps[1])
            result["tap_ms"], result["tap_cpu_ms"] = 1000 * float(taps[2]) / n, 1000 * float(taps[3]) / n
            result["visit_s"] = t_wiped - t0
            result["rss_kib"] = rss_kib(pid)
            (Path(tmp) / "stop").touch()
            proc.wait(15)
            return result
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def reexec_cost(runs: int) -> None:
    """What `kiosk run` started without the allocator pays to start itself again: the time
    to a config error (which `kiosk run` reports after the re-exec), with the launchers'
    environment and without, interleaved."""
    import statistics
    import subprocess

    from kiosk.privacy import WIPING_ALLOCATOR

    base = {k: v for k, v in os.environ.items() if k not in WIPING_ALLOCATOR}
    times: dict[str, list[float]] = {"launcher": [], "re-exec": []}
    for _ in range(runs):
        for name, extra in (("launcher", WIPING_ALLOCATOR), ("re-exec", {})):
            t0 = time.monotonic()
            subprocess.run([sys.executable, "-m", "kiosk", "run", "--config", "/nonexistent.toml"],
                           env={**base, **extra}, capture_output=True, cwd=Path(__file__).resolve().parents[1])
            times[name].append(time.monotonic() - t0)
    for name, values in times.items():
        print(f"kiosk run to its first line, {name:8}: median {statistics.median(values) * 1000:.0f} ms "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}, {runs} runs)")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS))
    parser.add_argument("--where", action="store_true", help="list each copy's region and encoding")
    parser.add_argument("--reexec", type=int, metavar="RUNS", help="only time the re-exec of `kiosk run`")
    args = parser.parse_args()
    if args.reexec:
        reexec_cost(args.reexec)
        return 0
    for run in range(args.runs):  # variants interleaved: the machine's load drifts
        for name in args.variant or ["pymalloc", "kiosk"]:
            r = one_run(VARIANTS[name])
            print(f"{name:16} run {run + 1}: field {r['copies']['field']}, search {r['copies']['search']}, "
                  f"scanned {r['bytes_scanned'] / 2**20:.0f} MiB in {r['scan_s']:.1f} s, "
                  f"RSS {r['rss_kib'] / 1024:.0f} MiB, "
                  f"start {r['start_s']:.2f} s (build CPU {r['build_cpu_s']:.2f} s), "
                  f"per tap {r['tap_ms']:.0f} ms wall / {r['tap_cpu_ms']:.0f} ms CPU, unreadable {r['unreadable']}")
            if args.where:
                counts = Counter((n, enc, length, region) for n, enc, length, region, _ in r["where"])
                for key, count in sorted(counts.items()):
                    print("   ", count, "x", key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
