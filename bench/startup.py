"""The kiosk's start-up and idle cost against bare Kivy, in the same run (issue 11).

Start-up: each run is a fresh process, the kiosk (`kiosk run`, as systemd starts it, with a
config in a temporary folder) and bare Kivy (an App showing one Label, same window size,
same Kivy environment) alternating. Each process reports when its app is built and 2 frames
were presented (Window.on_flip), then stops:
  wall  from just before the process is spawned to that second frame,
  cpu   the process's user + system time at that point,
  rss   its peak resident memory (ru_maxrss) at that point.
Idle (--idle): after SETTLE_S, CPU used over IDLE_S as a share of one core, on the attract
screen and on a step left untouched (the kiosk), against bare Kivy's one Label.
Targets: start <= 1.5x bare Kivy (wall and CPU), peak RSS <= 1.2x; idle <= 0.5 % of a core.

Figures (2026-12-03, the 2-core shared machine, offscreen window, llvmpipe; median of 7,
trees alternating in one run; "before" = 324542d, "wave 1" = main ca916e4):
                         wall s        cpu s        peak rss MiB   (load avg 1.56 -> 4.15)
  bare Kivy               0.34          0.27          161.1
  before                  1.96 (5.7x)   1.78 (6.6x)   217.5 (1.35x)
  wave 1                  1.93 (5.6x)   1.23 (4.6x)   210.7 (1.31x)
  + schema memo, lazy tuf 1.21 (3.5x)   0.91 (3.4x)   196.6 (1.22x)
  Targets still missed. cProfile of what remains (0.59 s under the profiler): kiosk.app and
  its kv files (Kivy's kv parser 0.08 s), load_pack's YAML composition 0.13 s, the screens'
  widgets 0.06 s, kiosk.controller's imports 0.07 s.
2026-12-04 (median of 5; the kiosk now spawned with the wiping allocator set, as systemd
does, so `kiosk run` no longer starts itself a second time; ratios to bare Kivy with the
same allocator; load avg 0.4, nothing else running):
  bare Kivy               0.28          0.27          160.8
  bare Kivy, wiping       0.30          0.29          166.6
  main 8163282            0.88 (2.91x)  0.87 (3.00x)  207.0 (1.24x)
  + parse memo, gettext   0.70 (2.34x)  0.70 (2.41x)  207.1 (1.24x)
Idle (--idle, same day, load avg 0.87 -> 1.12): bare Kivy 2.55 %; before: attract 2.10 %,
  step 1.80 %; wave 1: attract 0.50 %, step 0.40 % (target met, attract at the limit).
2026-12-06 (median of 7, a soak running on the other core: wall figures wander; two runs):
  bare Kivy, wiping       0.37 / 0.54   0.31 / 0.30   166.8
  9f6521e                 0.92 / 1.13   0.77 / 0.74   207.2 (1.24x)   cpu 2.48x / 2.47x
  + translations laid after the first frames, no xml.sax at start:
                          0.91 / 1.03   0.74 / 0.73   207.4 (1.24x)   cpu 2.39x / 2.43x
  Idle: bare Kivy 2.20 %, attract 0.50 %, step 0.45 %.

    .venv/bin/python bench/startup.py [--runs 7] [--idle] [--tree /work/main --tree .]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
BARE_WIPING = "bare Kivy, wiping allocator"
SETTLE_S = 8.0
IDLE_S = 20.0
PYCACHE = str(Path(tempfile.gettempdir()) / "pas-a-pas-bench-pycache")
IDLE_STEP = ("creer-adresse-email", 1)  # procedure, number of « Suivant » to a plain step


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=7, help="runs of each (start-up); idle: 1 of each")
    p.add_argument("--idle", action="store_true", help="measure idle CPU instead of start-up")
    p.add_argument("--idle-s", type=float, default=IDLE_S)
    p.add_argument("--tree", action="append", help="kiosk source tree (repeatable; default: this one)")
    p.add_argument("--child", choices=["kiosk", "bare"], help=argparse.SUPPRESS)
    p.add_argument("--mode", default="start", help=argparse.SUPPRESS)  # start, attract, step
    return p.parse_args(argv)


# ----- children ------------------------------------------------------------------------
def figures_now(spawned: float) -> dict:
    t = os.times()
    return {"wall_s": time.time() - spawned, "cpu_s": t.user + t.system,
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def report(figures: dict) -> None:
    print("FIGURES " + json.dumps(figures), flush=True)


def when_drawn(app, frames: int, then) -> None:
    """Call then() once the window has presented `frames` frames after the app started."""
    from kivy.core.window import Window
    count = [0]

    def flipped(*_):
        count[0] += 1
        if count[0] == frames:
            Window.unbind(on_flip=flipped)
            then()
        else:
            Window.canvas.ask_update()  # a still Label would present no second frame
    Window.bind(on_flip=flipped)


def measure_idle(app, idle_s: float, before=None) -> None:
    from kivy.clock import Clock

    def start(_dt):
        t0 = os.times()

        def stop(_dt):
            t1 = os.times()
            cpu = (t1.user + t1.system) - (t0.user + t0.system)
            report({"idle_cpu_pct": 100 * cpu / (t1.elapsed - t0.elapsed)})
            app.stop()
        Clock.schedule_once(stop, idle_s)
    if before is not None:
        before()
    Clock.schedule_once(start, SETTLE_S)


def child_bare(mode: str, idle_s: float) -> None:
    from kiosk.kivy_env import prepare_kivy_environment
    prepare_kivy_environment()
    from kivy.config import Config
    Config.set("graphics", "width", "1280")
    Config.set("graphics", "height", "800")
    from kivy.app import App
    from kivy.uix.label import Label
    spawned = float(os.environ["BENCH_SPAWNED"])

    class Bare(App):
        def build(self):
            return Label(text="Bonjour")

        def on_start(self):
            if mode == "start":
                when_drawn(self, 2, lambda: (report(figures_now(spawned)), self.stop()))
            else:
                measure_idle(self, idle_s)
    Bare().run()


def child_kiosk(mode: str, idle_s: float) -> None:
    spawned = float(os.environ["BENCH_SPAWNED"])
    # One data folder per tree for all its runs, as an installed kiosk keeps its own: the
    # warm-up run writes what a first start writes (the schema memo, the stats database).
    data = Path(os.environ["BENCH_DATA"])
    data.mkdir(parents=True, exist_ok=True)
    config = data / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{data}"\nfullscreen = false\n[printer]\nconnection = "dummy"\n')
    import kiosk.app
    original = kiosk.app.KioskApp.on_start

    def on_start(app):
        original(app)
        if mode == "start":
            # Two figures: the attract screen drawn (2 frames), then "ready" (KioskApp._ready:
            # the other screens built, the start's collection done, READY=1), which a tree
            # older than 7 December 2026 does on its first frames.
            figures = {}

            def both_then_report():
                if "wall_s" in figures and "ready_wall_s" in figures:
                    report(figures)
                    app.stop()

            when_drawn(app, 2, lambda: (figures.update(figures_now(spawned)), both_then_report()))
            ready = app._ready

            def ready_then_report(dt):
                ready(dt)
                figures.update({f"ready_{k}": v for k, v in figures_now(spawned).items()})
                both_then_report()
            app._ready = ready_then_report
        elif mode == "attract":
            measure_idle(app, idle_s)
        else:
            def to_a_step():
                c = app.controller
                c.start_session()
                c.open_procedure(IDLE_STEP[0])
                for _ in range(IDLE_STEP[1]):
                    c.next()
            measure_idle(app, idle_s, before=to_a_step)
    kiosk.app.KioskApp.on_start = on_start
    from kiosk.cli import main
    main(["run", "--config", str(config)])


# ----- the parent ------------------------------------------------------------------------
@functools.cache
def data_root() -> Path:
    """The parent's folder for the kiosks' data folders, one per tree."""
    return Path(tempfile.mkdtemp(prefix="pas-a-pas-bench-data-"))


def run_child(kind: str, tree: Path, mode: str, idle_s: float, allocator: bool = False) -> dict:
    # Compiled bytecode is kept (outside the trees), as an installed kiosk has it: the first
    # run of each kind, not counted, writes it.
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=PYCACHE, KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=tempfile.mkdtemp(prefix="kivy-home-"), BENCH_SPAWNED=repr(time.time()),
               BENCH_DATA=str(data_root() / str(tree).strip("/").replace("/", "-")))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if kind == "kiosk" or allocator:
        # As systemd and scripts/run.sh start it: with the wiping allocator already set, so
        # `kiosk run` does not start itself again (a re-exec counted every import twice).
        from kiosk.privacy import WIPING_ALLOCATOR  # this tree's: it has no Kivy import

        env.update(WIPING_ALLOCATOR)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--mode", mode,
           "--idle-s", str(idle_s)]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("FIGURES "):
            return json.loads(line[len("FIGURES "):])
    raise RuntimeError(f"{kind} in {tree}: no figures (exit {out.returncode})\n{out.stderr[-3000:]}")


def med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def start_up(args, trees: list[Path]) -> None:
    # The wiping allocator (kiosk/privacy.py) makes every allocation dearer: bare Kivy is
    # measured with it too, and the kiosk's ratio is to that same-allocator bare Kivy.
    runs: dict[str, list[dict]] = {"bare Kivy": [], BARE_WIPING: [], **{f"kiosk {t}": [] for t in trees}}
    run_child("bare", trees[0], "start", 0)  # warm-up: bytecode written, files in the page cache
    for tree in trees:
        run_child("kiosk", tree, "start", 0)
    for n in range(args.runs):
        print(f"run {n + 1}/{args.runs}", flush=True)
        runs["bare Kivy"].append(run_child("bare", trees[0], "start", 0))
        runs[BARE_WIPING].append(run_child("bare", trees[0], "start", 0, allocator=True))
        for tree in trees:
            runs[f"kiosk {tree}"].append(run_child("kiosk", tree, "start", 0))
    bare = runs[BARE_WIPING]
    print(f"\nstart -> app built and 2 frames presented; median of {args.runs} (min-max); "
          f"ratio to the median of {BARE_WIPING}")
    print(f"{'':40s} {'wall s':>18s} {'cpu s':>18s} {'peak rss MiB':>20s}")
    for name, rs in runs.items():
        cells = []
        for key in ("wall_s", "cpu_s", "rss_mib"):
            values = [r[key] for r in rs]
            cells.append(f"{statistics.median(values):6.2f} ({min(values):.2f}-{max(values):.2f})")
        print(f"{name[-40:]:40s} {cells[0]:>18s} {cells[1]:>18s} {cells[2]:>20s}")
        if name.startswith("kiosk"):
            print(f"{'  ratio to bare Kivy, same allocator':40s} {med(rs, 'wall_s') / med(bare, 'wall_s'):17.2f}x "
                  f"{med(rs, 'cpu_s') / med(bare, 'cpu_s'):17.2f}x {med(rs, 'rss_mib') / med(bare, 'rss_mib'):19.2f}x")
    print("targets: wall and cpu <= 1.5x, peak rss <= 1.2x")
    print(f"\nstart -> ready (the kiosk's other screens built, collection done, READY=1), same runs; "
          f"ratio to the same {BARE_WIPING} figures (2 frames)")
    for name, rs in runs.items():
        if name.startswith("kiosk"):
            cells = []
            for key in ("ready_wall_s", "ready_cpu_s", "ready_rss_mib"):
                values = [r[key] for r in rs]
                cells.append(f"{statistics.median(values):6.2f} ({min(values):.2f}-{max(values):.2f})")
            print(f"{name[-40:]:40s} {cells[0]:>18s} {cells[1]:>18s} {cells[2]:>20s}")
            ratios = [med(rs, f"ready_{key}") / med(bare, key) for key in ("wall_s", "cpu_s", "rss_mib")]
            print(f"{'  ratio to bare Kivy, same allocator':40s} {ratios[0]:17.2f}x {ratios[1]:17.2f}x "
                  f"{ratios[2]:19.2f}x")


def idle(args, trees: list[Path]) -> None:
    print(f"idle CPU: {SETTLE_S:.0f} s settle, then {args.idle_s:.0f} s measured; % of one core")
    print(f"  bare Kivy (one Label):    {run_child('bare', trees[0], 'idle', args.idle_s)['idle_cpu_pct']:5.2f} %",
          flush=True)
    for tree in trees:
        for mode in ("attract", "step"):
            pct = run_child("kiosk", tree, mode, args.idle_s)["idle_cpu_pct"]
            print(f"  kiosk {mode:8s} {str(tree)[-18:]:18s} {pct:5.2f} %", flush=True)
    print("target: <= 0.5 %")


def main() -> int:
    args = parse_args()
    if args.child:
        sys.path.insert(0, os.getcwd())
        (child_bare if args.child == "bare" else child_kiosk)(args.mode, args.idle_s)
        return 0
    sys.path.insert(0, str(HERE))  # kiosk.privacy, for the children's environment
    trees = [Path(t).resolve() for t in (args.tree or [str(HERE)])]
    (idle if args.idle else start_up)(args, trees)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
