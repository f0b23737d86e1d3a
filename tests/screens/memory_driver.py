"""Test-only driver: run the real kiosk in this process and type like a visitor, then idle.

    python tests/screens/memory_driver.py DATA_DIR   < "FIELD_CANARY\nSEARCH_CANARY\n"

Used by tests/screens/test_memory_scan.py and bench/memory_scan.py, which scan this
process's memory from outside once it says the wipe was verified. It builds the kiosk the
way `kiosk run` does (kiosk.app.run's protections, the real services from a config with
DATA_DIR), opens the window, and plays real touches through the tests' window driver:
the home search gets SEARCH_CANARY, a procedure's field step FIELD_CANARY, both on the
kiosk's own keyboard; then « Terminer et effacer mes informations ». The canaries come on
stdin one byte at a time, so this driver only ever holds them as single characters (which
CPython shares): any whole copy or typed prefix found later is the kiosk's. Once the wipe
status file says clean it collects garbage, prints `SCAN <pid>` and keeps drawing frames (as the
idle kiosk does) until DATA_DIR/stop exists, then prints `DONE` and exits.

PAS_A_PAS_TEST_ALLOCATOR=as-is (test-only, for bench/memory_scan.py): do not start again
with the wiping allocator as `kiosk run` does (kiosk.privacy.reexec_with_wiping_allocator),
to measure other allocator settings.
PAS_A_PAS_TEST_KEEP_DUMPABLE=1 (test-only, read here and nowhere in kiosk/): skip
prctl(PR_SET_DUMPABLE, 0), for a scanner that is not root (without CAP_SYS_PTRACE a
non-dumpable process's /proc/PID/mem cannot be read, even by its own uid).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def field_path(pack):
    """A procedure and a path through it that reaches a free-text field step."""
    from tests.screens.catalog_paths import all_paths

    for proc in sorted(pack.procedures.values(), key=lambda p: p.id):
        fields = [s for s in proc.steps if s.kind == "field" and not s.pattern]
        for path in all_paths(proc):
            if fields and any(sid == fields[0].id for sid, _ in path):
                return proc, path
    raise SystemExit("no procedure with a free-text field step")


def build(data_dir: Path):
    from kiosk import app as app_mod
    from kiosk.config import ASSETS_DIR
    from kiosk.content.loader import load_pack
    from tests.screens.conftest import make_config

    if os.environ.get("PAS_A_PAS_TEST_KEEP_DUMPABLE") != "1":
        app_mod.forbid_core_dumps()
    cfg = make_config(data_dir)
    pack = load_pack(ASSETS_DIR / "content")
    app_mod.configure_kivy(cfg)
    from kivy.base import EventLoop
    EventLoop.ensure_window()
    app = app_mod.KioskApp(cfg, pack)
    app._run_prepare()
    return app, EventLoop.window, pack


def visit(k, pack, field_canary: str, search_canary: str) -> None:
    from kiosk.session import State

    k.frames(3)
    k.tap_at(k.window.width / 2, k.window.height / 2)  # the attract screen: any touch
    assert k.wait_for(lambda: k.machine.state is State.HOME), k.machine.state
    home = k.app.root_widget.ids.sm.get_screen("home")
    k.tap(home.search_input)
    k.type_text(search_canary)
    for _ in search_canary:  # erased key by key, as a visitor would
        k.tap_at(*home._keyboard.keyboard.key_center("backspace"))
    proc, path = field_path(pack)
    k.press(next(c.title for c in pack.categories if c.id == proc.category))
    k.press(proc.title)
    for step_id, choice in path:
        step = proc.step(step_id)
        if step.kind == "end":
            break
        if step.kind == "question":
            k.press(step.choices[choice].label)
            continue
        if step.kind == "field":
            k.tap(k.app.root_widget.ids.sm.get_screen("step").field_input)
            k.type_text(field_canary)
            assert len(k.machine.visit.fields[step.id]) == len(field_canary)
        k.press("Suivant")
    assert k.wait_for(lambda: k.machine.state is State.SUMMARY), k.machine.state
    k.press("Terminer et effacer mes informations")


def wait_verified(k, status: Path, started: float) -> None:
    def verified() -> bool:
        try:
            data = json.loads(status.read_text())
        except (OSError, ValueError):
            return False
        return data.get("at", 0) >= started and data.get("clean") is True

    assert k.wait_for(verified, 20), "the wipe status never said verified"


def read_chars() -> list[str]:
    """One line of stdin as a list of one-character strings (never one str of them all)."""
    chars = []
    while (byte := os.read(0, 1)) not in (b"", b"\n"):
        chars.append(byte.decode("ascii"))
    return chars


def main(argv: list[str]) -> int:
    if os.environ.get("PAS_A_PAS_TEST_ALLOCATOR") != "as-is":
        from kiosk.privacy import reexec_with_wiping_allocator
        reexec_with_wiping_allocator()  # as `kiosk run` does, first thing
    data_dir = Path(argv[1])
    field_canary, search_canary = read_chars(), read_chars()
    from tests.screens.conftest import KioskDriver

    t0, cpu0 = time.monotonic(), time.process_time()
    app, window, pack = build(data_dir)
    k = KioskDriver(app, window, time.monotonic)
    k.frames(3)
    say(f"BUILT {time.monotonic() - t0:.3f} {time.process_time() - cpu0:.3f}")  # for bench/memory_scan.py
    taps, tap_at = [0], k.tap_at
    k.tap_at = lambda x, y: (taps.__setitem__(0, taps[0] + 1), tap_at(x, y))
    started, t0, cpu0 = time.time(), time.monotonic(), time.process_time()
    visit(k, pack, field_canary, search_canary)
    say(f"TAPS {taps[0]} {time.monotonic() - t0:.3f} {time.process_time() - cpu0:.3f}")
    wait_verified(k, data_dir / "wipe-status.json", started)
    say("WIPED")
    del k.app  # the driver's own references are the test's, not the kiosk's
    k = None
    gc.collect()
    from tests.window_driver import WindowDriver
    frames = WindowDriver(None, window)
    say(f"SCAN {os.getpid()}")
    stop = data_dir / "stop"
    while not stop.exists():
        frames.frames(1)
        time.sleep(0.02)
    app.shutdown()
    say("DONE")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))


# ----- the scan, run by the test process (no Kivy) ------------------------------------------
ENCODINGS = ("utf-8", "utf-16-le", "utf-32-le")  # str as CPython, SDL/ICU and UCS-4 hold it
MIN_PREFIX = 6
CHUNK = 16 * 1024 * 1024


def readable_regions(pid: int) -> list[tuple[int, int, str]]:
    """(start, end, name) of the mappings that can hold data the process wrote.

    Skipped: devices (/dev/dri buffers can hang or fault a read; /dev/shm and /dev/zero are
    kept), the kernel's [vvar]/[vsyscall], and read-only file mappings (code, fonts: what
    they hold is on disk, which other tests scan)."""
    regions = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split(maxsplit=5)
        span, perms = parts[0], parts[1]
        name = parts[5] if len(parts) > 5 else ""
        if "r" not in perms or name.startswith(("[vvar", "[vsyscall")):
            continue
        if name.startswith("/dev/") and not name.startswith(("/dev/shm/", "/dev/zero")):
            continue
        if name.startswith("/") and "w" not in perms:
            continue
        start, end = (int(x, 16) for x in span.split("-"))
        regions.append((start, end, name))
    return regions


def _needles(texts: dict[str, str]) -> list[tuple[str, str, str, bytes]]:
    """(name, variant, encoding, first 6 characters encoded): the text as typed, lowered and
    upper-cased (a search or a check may fold it), each in every encoding. Plain bytes.find
    per needle: a case-insensitive regex is 15 times slower over half a gigabyte."""
    return [(name, variant, enc, variant[:MIN_PREFIX].encode(enc))
            for name, text in texts.items() for variant in dict.fromkeys((text, text.lower(), text.upper()))
            for enc in ENCODINGS]


def _match_length(data: bytes, at: int, text: str, encoding: str) -> int:
    n = 0
    for c in text:
        width = len(c.encode(encoding))
        if data[at:at + width] != c.encode(encoding):
            break
        at += width
        n += 1
    return n


def scan_memory(pid: int, texts: dict[str, str], controls: dict[str, str] | None = None) -> dict:
    """Copies of each text in the process's memory: {name: {"whole": n, "prefixes": m}}
    counted over UTF-8, UTF-16-LE and UCS-4, where a prefix is ≥ 6 characters but not the
    whole text; plus "bytes_scanned" and "unreadable" (regions the kernel refused).
    Controls (texts known to be alive, to prove the scan sees them) are looked for as given,
    in UTF-8 only."""
    controls = controls or {}
    found = {name: {"whole": 0, "prefixes": 0} for name in (*texts, *controls)}
    where: list[tuple[str, str, int, str, int]] = []  # name, encoding, length, region, address
    needles = _needles(texts) + [(name, text, "utf-8", text[:MIN_PREFIX].encode()) for name, text in controls.items()]
    longest = max(len(t) for t in (*texts.values(), *controls.values())) * 4
    scanned = unreadable = 0
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for start, end, region in readable_regions(pid):
            at = start
            while at < end:
                size = min(CHUNK, end - at)
                try:
                    mem.seek(at)
                    data = mem.read(size + min(longest, end - at - size))
                except OSError:
                    unreadable += 1
                    break
                scanned += size
                for name, text, enc, needle in needles:
                    i = data.find(needle, 0, size + len(needle) - 1)
                    while i != -1:
                        length = _match_length(data, i, text, enc)
                        found[name]["whole" if length == len(text) else "prefixes"] += 1
                        where.append((name, enc, length, region or "anonymous", at + i))
                        i = data.find(needle, i + 1, size + len(needle) - 1)
                at += size
    return {"copies": found, "bytes_scanned": scanned, "unreadable": unreadable, "where": where}
