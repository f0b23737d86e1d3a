"""Figures for the conseiller and technician tools: PIN check cost, statistics call cost,
doctor run time. Run: .venv/bin/python bench/ops_bench.py"""

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kiosk.config import Config, KioskSection
from kiosk.pin import PinGate, hash_pin, verify_pin
from kiosk.stats import Stats


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def show(label: str, samples: list[float], unit: str = "ms") -> None:
    scale = 1e3 if unit == "ms" else 1e6
    median = statistics.median(samples) * scale
    print(f"{label:<48} median {median:8.2f} {unit}   max {max(samples) * scale:8.2f} {unit}")


def main() -> None:
    stored = hash_pin("24681357")
    show("hash_pin (scrypt n=2^14 r=8 p=1)", timed(lambda: hash_pin("24681357"), 10))
    show("verify_pin, right PIN", timed(lambda: verify_pin("24681357", stored), 10))
    gate = PinGate(stored, hash_pin("97531"), attempts=10**9)
    show("PinGate.try_pin, wrong PIN (two hashes checked)", timed(lambda: gate.try_pin("0000"), 10))

    with tempfile.TemporaryDirectory() as tmp:
        stats = Stats(Path(tmp) / "stats.sqlite3", flush_interval_s=5)
        show("Stats.procedure_started (UI thread)",
             timed(lambda: stats.procedure_started("creer-adresse-email"), 10000), "us")
        show("Stats.today (UI thread)", timed(stats.today, 1000), "us")
        show("Stats.usage_counts(90) (UI thread)", timed(stats.usage_counts, 1000), "us")
        show("Stats.flush of 10 000 queued counts", timed(stats.flush, 1))
        stats.close()

        from kiosk.doctor import CHECKS, Environment
        cfg = Config(kiosk=replace(KioskSection(), data_dir=Path(tmp)))
        env = Environment()
        total = 0.0
        for check in CHECKS:
            [elapsed] = timed(lambda: check(cfg, env), 1)
            total += elapsed
            show(f"doctor {check.__name__}", [elapsed])
        print(f"{'doctor, all checks':<48} {total * 1e3:8.0f} ms")


if __name__ == "__main__":
    main()
