"""Nothing of a visitor survives the reset: a unique canary typed into every field of every
procedure (and the search field), printed, sent with a help call, must be found nowhere
afterwards: not in a widget, a log line, a file under the kiosk's folder, the clipboard or
the statistics."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hardware.printer import PrintService
from kiosk.config import ASSETS_DIR
from kiosk.content.loader import load_pack
from kiosk.helpcall import HelpCallService
from kiosk.services import Services
from kiosk.session import State
from kiosk.stats import Stats
from tests.screens.catalog_paths import all_paths
from tests.screens.conftest import make_config

PACK = load_pack(ASSETS_DIR / "content")
FIELD_PROCEDURES = sorted(p.id for p in PACK.procedures.values() if any(s.kind == "field" for s in p.steps))


class Everything(logging.Handler):
    """Every log record of every logger, formatted as it would reach the journal."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def logs():
    handler = Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def canary_for(pattern: str | None, n: int) -> str:
    if pattern and "@" in pattern:
        return f"qzcanari{n:04d}@exemple.fr"
    return f"QZ{n:08d}"


def path_through_fields(proc):
    fields = {s.id for s in proc.steps if s.kind == "field"}
    return max(all_paths(proc), key=lambda path: len(fields & {sid for sid, _ in path}))


def find_canaries(canaries: list[str], data_dir: Path, k, logs, stats) -> list[str]:
    from kivy.core.clipboard import Clipboard
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    found = []
    lowered = [c.lower() for c in canaries]
    # Every widget the app owns, not only what the window shows: screens that are not
    # current and overlays that are closed still hold what they were given.
    roots = [k.window, *k.app.root_widget.ids.sm.screens, k.app.widgets.idle_overlay, k.app.widgets.help_overlay]
    widgets = {id(w): w for root in roots for w in k.widgets(root)}.values()
    for w in widgets:
        texts = []
        if isinstance(w, Label):
            texts.append(w.text)
        if isinstance(w, TextInput):
            texts.append(w.text)
            # The undo history keeps what was typed one character at a time: after a reset
            # any entry at all is a leftover.
            if w._undo or w._redo:
                found.append(f"widget {type(w).__name__}: undo history of {len(w._undo)} entries")
        for text in texts:
            found += [f"widget {type(w).__name__}: {c}" for c in lowered if c in text.lower()]
    from kivy.cache import Cache
    for category, entries in Cache._objects.items():
        keys = " ".join(map(str, entries)).lower()
        found += [f"kivy cache {category}: {c}" for c in lowered if c in keys]
    clip = (Clipboard.paste() or "").lower()
    found += [f"clipboard: {c}" for c in lowered if c in clip]
    for line in logs.lines:
        found += [f"log: {line[:80]}" for c in lowered if c in line.lower()]
    stats.flush()
    found += [f"statistics today: {c}" for c in lowered if c in repr(stats.today()).lower()]
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            found += [f"file {path.relative_to(data_dir)}: {c}" for c in lowered if c.encode() in data]
    return found


def test_no_canary_survives_the_reset(make_kiosk, tmp_path, logs):
    cfg = make_config(tmp_path)
    stats = Stats(cfg.data_path(cfg.stats.db_file), flush_interval_s=0.5)
    printer = PrintService(cfg)
    helpcall = HelpCallService(cfg)
    k = make_kiosk(Services(printer=printer, helpcall=helpcall, stats=stats), cfg=cfg)
    n = 0
    all_canaries: list[str] = []
    for procedure_id in FIELD_PROCEDURES:
        proc = PACK.procedures[procedure_id]
        canaries = []
        # A new visitor: the search field gets a canary too.
        k.tap_at(640, 300)
        assert k.machine.state is State.HOME
        n += 1
        search = f"qzsearch{n:04d}"
        canaries.append(search)
        home = k.app.root_widget.ids.sm.get_screen("home")
        k.tap(home.search_input)
        k.type_text(search)
        # Erased key by key, as a visitor would: the text is gone but the input's undo
        # history still holds it until the wipe.
        for _ in search:
            k.tap_at(*home._keyboard.keyboard.key_center("backspace"))
        assert home.search_input.text == "" and len(home.search_input._undo) >= 2 * len(search)
        k.press(next(c.title for c in PACK.categories if c.id == proc.category))
        assert k.machine.visit.category_id == proc.category
        k.press(proc.title)
        for step_id, choice in path_through_fields(proc):
            step = proc.step(step_id)
            if step.kind == "end":
                break
            if step.kind == "question":
                k.press(step.choices[choice].label)
                continue
            if step.kind == "field":
                n += 1
                canary = canary_for(step.pattern, n)
                canaries.append(canary)
                k.tap(k.app.root_widget.ids.sm.get_screen("step").field_input)
                k.type_text(canary)
                assert k.machine.visit.fields[step.id] == canary
                k.press("Appeler un conseiller")     # a help call with this visitor's context
                k.press("Continuer en attendant")
            k.press("Suivant")
        assert k.machine.state is State.SUMMARY
        k.press("Imprimer mon récapitulatif")
        assert k.wait_for(lambda: k.machine.visit.print_status == "done", 15)
        k.press("Terminer et effacer mes informations")
        assert k.wait_for(lambda: k.machine.state is State.GOODBYE)
        assert k.app.controller.wipes.last_report.clean, k.app.controller.wipes.last_report.results
        all_canaries += canaries
        leftovers = find_canaries(all_canaries, tmp_path, k, logs, stats)
        assert leftovers == [], leftovers
        k.clock.advance(k.app.cfg.session.goodbye_s)
        assert k.wait_for(lambda: k.machine.state is State.ATTRACT)
    # The test really typed, printed and called: otherwise it would prove nothing.
    assert len(all_canaries) == len(FIELD_PROCEDURES) * 2
    assert len(list((tmp_path / "spool").glob("*"))) == len(FIELD_PROCEDURES)
    assert stats.today().get("help_calls", 0) >= len(FIELD_PROCEDURES)
    assert any("help call" in line for line in logs.lines)
