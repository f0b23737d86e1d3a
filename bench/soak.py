"""Soak: many scripted visitor sessions in one process, through the real app and window.

Each session picks a random procedure and path, types canaries into the search field and
the fields, sometimes prints (python-escpos bytes to the dummy connection), sometimes calls
for help and cancels, then ends with « Terminer » or with the inactivity reset. After every
reset it looks for the session's canaries in every widget, the clipboard and the log.

Reports: crashes (failsafe resets), canaries found after reset, resident memory at session
100 and at the end, live widget count at the same points. Targets (issue 6): 0 crashes,
0 canaries, < 2 MiB of memory growth, a flat widget count. Resident memory wanders by a
few MiB with what the screens last showed (textures) and the allocator's free lists; the
trimmed figure (after malloc_trim) and Python's allocated block count tell a leak from that.

    .venv/bin/python bench/soak.py --sessions 10000 [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_LOG_MODE="PYTHON", KIVY_NO_CONSOLELOG="1",
                  KIVY_USE_DEFAULTCONFIG="1", KIVY_HOME=tempfile.mkdtemp(prefix="kivy-home-"))

import psutil  # noqa: E402

from kiosk.config import ASSETS_DIR, Config, KioskSection, PrinterSection  # noqa: E402
from kiosk.content.loader import load_pack  # noqa: E402
from tests.screens.catalog_paths import all_paths  # noqa: E402


class Recent(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def widget_count(roots) -> int:
    seen, stack = set(), list(roots)
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        stack.extend(w.children)
    return len(seen)


def trimmed_rss_mib(process) -> float:
    """Resident memory once the C allocator has handed back its free pages: what is still
    held, without the heap's high-water mark that makes plain RSS wander by a few MiB."""
    import ctypes
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: plain RSS
        pass
    return process.memory_info().rss / 2**20


def live_widgets() -> int:
    from kivy.uix.widget import Widget
    gc.collect()
    count = 0
    for o in gc.get_objects():
        try:
            count += isinstance(o, Widget)
        except ReferenceError:  # a dead weak proxy (Kivy keeps many)
            pass
    return count


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--every", type=int, default=1000, help="print figures every N sessions")
    parser.add_argument("--trace", action="store_true",
                        help="with tracemalloc: print where Python memory grew in the second half (slow)")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    data_dir = Path(tempfile.mkdtemp(prefix="soak-"))
    cfg = Config(kiosk=KioskSection(data_dir=data_dir), printer=PrinterSection(connection="dummy"))
    from kiosk.app import Services, configure_kivy, kiosk_app_class
    configure_kivy(cfg)
    from kivy.base import EventLoop
    from kivy.core.clipboard import Clipboard
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    from hardware.printer import PrintService
    from kiosk.helpcall import HelpCallService
    from kiosk.session import State
    from kiosk.stats import Stats

    EventLoop.ensure_window()
    pack = load_pack(ASSETS_DIR / "content")
    paths = {p.id: all_paths(p) for p in pack.procedures.values()}
    clock = Clock()
    services = Services(printer=PrintService(cfg), helpcall=HelpCallService(cfg),
                        stats=Stats(cfg.data_path(cfg.stats.db_file)))
    app = kiosk_app_class()(cfg, pack, services=services, clock=clock)
    app._run_prepare()
    log = Recent()
    # Log lines stay in memory, to be searched for canaries; 10,000 sessions of them on the
    # console would cost more than the sessions.
    logging.getLogger().handlers = [log]
    logging.getLogger().setLevel(logging.INFO)
    sm = app.root_widget.ids.sm
    roots = [EventLoop.window, *sm.screens, app.idle_overlay, app.help_overlay]
    process = psutil.Process()

    def frame():
        EventLoop.idle()

    def leftovers(canaries) -> list[str]:
        found = []
        for root in roots:
            stack = [root]
            while stack:
                w = stack.pop()
                stack.extend(w.children)
                text = w.text if isinstance(w, Label) else ""
                if isinstance(w, TextInput):
                    text = w.text
                    if w._undo or w._redo:
                        found.append("text input undo history")
                found += [f"widget {c}" for c in canaries if c in text]
        clip = Clipboard.paste() or ""
        found += [f"clipboard {c}" for c in canaries if c in clip]
        found += [f"log {c}" for line in log.lines for c in canaries if c in line]
        return found

    if args.trace:
        import tracemalloc
        tracemalloc.start(8)
    baseline = None
    crashes = canaries_found = prints = calls = idle_resets = 0
    marks = {}
    started = time.monotonic()
    for n in range(1, args.sessions + 1):
        log.lines.clear()
        canaries = [f"qzs{n:07d}"]
        app.start_session()
        frame()
        home = sm.get_screen("home")
        home.search_input.text = canaries[0]
        frame()
        app.clear_search()
        proc = rng.choice(list(pack.procedures.values()))
        path = rng.choice(paths[proc.id])
        app.machine.open_procedure(proc.id)
        frame()
        for step_id, choice in path:
            step = proc.step(step_id)
            if step.kind == "end":
                break
            if step.kind == "question":
                app.machine.choose(choice)
            else:
                if step.kind == "checklist" and step.items:
                    app.machine.toggle(rng.choice(step.items).id)
                if step.kind == "field":
                    canary = f"QZ{n:08d}"
                    canaries.append(canary)
                    sm.get_screen("step").field_input.text = canary
                if rng.random() < 0.05 and not app.machine.visit.help_number:
                    app.call_help()
                    calls += 1
                    if rng.random() < 0.5:
                        app.cancel_help()
                    else:
                        app.close_help_panel()
                app.machine.next()
            frame()
        if app.machine.state is State.SUMMARY and rng.random() < 0.5:
            app.print_summary()
            prints += 1
            deadline = time.monotonic() + 5
            while app.machine.visit.print_status == "printing" and time.monotonic() < deadline:
                frame()
        if rng.random() < 0.3:
            clock.now += app.machine.idle_limit_s() + 1
            app.machine.tick()
            clock.now += cfg.session.idle_warning_s + 1
            app.machine.tick()
            idle_resets += 1
        if app.machine.state is not State.GOODBYE:
            app.machine.end_session()
        frame()
        crashes = len(app.failures)
        found = leftovers(canaries)
        canaries_found += len(found)
        if found and canaries_found <= 5:
            print(f"session {n}: {found[:3]}")
        clock.now += cfg.session.goodbye_s + 1
        app.machine.tick()
        frame()
        if args.trace and n == args.sessions // 2:
            gc.collect()
            baseline = tracemalloc.take_snapshot()
        if n in (10, 100, args.sessions) or n % args.every == 0:
            rss = process.memory_info().rss / 2**20
            marks[n] = (rss, widget_count(roots), live_widgets(), trimmed_rss_mib(process),
                        sys.getallocatedblocks())
            print(f"session {n:6d}: rss {rss:7.1f} MiB (trimmed {marks[n][3]:7.1f}), python blocks "
                  f"{marks[n][4]:8d}, widgets in tree {marks[n][1]:5d}, live widgets {marks[n][2]:5d}, "
                  f"{time.monotonic() - started:6.0f} s", flush=True)
    if baseline is not None:
        gc.collect()
        growth = tracemalloc.take_snapshot().compare_to(baseline, "traceback")
        print(f"where Python memory grew since session {args.sessions // 2}:")
        for stat in growth[:8]:
            print(f"  {stat.size_diff / 1024:+.1f} KiB, {stat.count_diff:+d} blocks")
            for line in stat.traceback.format()[-8:]:
                print("   ", line)
    app.shutdown()
    first, last = marks.get(100), marks.get(args.sessions)
    print(f"sessions: {args.sessions}, prints: {prints}, help calls: {calls}, idle resets: {idle_resets}")
    print(f"crashes (failsafe): {crashes}")
    print(f"canaries found after reset: {canaries_found}")
    if first and last:
        print(f"rss growth from session 100 to {args.sessions}: {last[0] - first[0]:.2f} MiB "
              f"(trimmed: {last[3] - first[3]:.2f} MiB)")
        print(f"widgets in tree: {first[1]} -> {last[1]}; live widgets: {first[2]} -> {last[2]}; "
              f"python blocks: {first[4]} -> {last[4]}")
    print(f"time: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
