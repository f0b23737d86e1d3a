"""The kiosk's health for Prometheus: a textfile for node_exporter's textfile collector.

prometheus_client's write_to_textfile writes a temp file and renames it, so node_exporter
never reads half a file. Only anonymous state goes in: whether the kiosk runs, its printer,
how many help calls wait and for how long, whether the last wipe was verified, which content
pack it uses, its update checks, how often it started, and today's totals. No label ever holds
a procedure, a step, anything typed or anything about one visit (tests/ops/test_metrics.py
drives a visit with a canary value and greps the file).

The writer runs on its own thread every [metrics] every_s; the kiosk gives it two callables
(the printer's state and today's totals), both safe to call from another thread.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kiosk.config import Config
from kiosk.files import write_atomic

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

log = logging.getLogger(__name__)

TEXTFILE_NAME = "pas_a_pas.prom"
STARTS_FILE = "starts.json"
PRINTER_STATES = ("ready", "paper_low", "paper_out", "offline", "unknown", "none")
UPDATE_RESULTS = ("unchanged", "new", "refused", "offline", "error", "never", "off")
TODAY_FIGURES = ("sessions", "procedures_started", "procedures_finished", "procedures_abandoned", "help_calls",
                 "prints", "print_failures")
_CALL_FILE = re.compile(r"^[0-9a-f]{32}\.json$")
_ACTIVE_CALLS = ("waiting", "delivered")
_VERSION_SAFE = re.compile(r"[^0-9A-Za-z._+-]")


@dataclass
class Sample:
    """Everything the file says; all of it anonymous."""

    now: float
    printer_state: str = "none"
    calls_in_outbox: int = 0
    calls_not_acknowledged: int = 0
    oldest_call_age_s: float = 0.0
    wipe_verified: bool = True
    wipe_at: float = 0.0
    pack_version: str = "shipped"
    pack_source: str = "shipped"
    pack_signed_at: float = 0.0
    pack_expires_at: float = 0.0
    update_result: str = "off"
    update_at: float = 0.0
    update_ok_at: float = 0.0
    starts: int = 0
    today: dict[str, int] = field(default_factory=dict)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _calls(cfg: Config, sample: Sample) -> None:
    folder = cfg.data_path(cfg.helpcall.outbox_dir)
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if not _CALL_FILE.match(path.name):
            continue
        record = _read_json(path)
        if record.get("status", "waiting") not in _ACTIVE_CALLS:
            continue
        sample.calls_in_outbox += 1
        sample.calls_not_acknowledged += 1  # an active call is one nobody has answered yet
        created = record.get("created_at")
        if isinstance(created, (int, float)):
            sample.oldest_call_age_s = max(sample.oldest_call_age_s, sample.now - created)


def _content(cfg: Config, sample: Sample) -> None:
    from kiosk.updates.client import current_pack_info, read_status, trusted_expiry

    if not cfg.updates.enabled:
        return
    info = current_pack_info(cfg)
    if info:
        sample.pack_source = "signed"
        sample.pack_version = _VERSION_SAFE.sub("_", str(info.get("version", "?")))[:40]
        try:
            sample.pack_signed_at = datetime.fromisoformat(str(info.get("signed_at"))).timestamp()
        except ValueError:
            pass
        sample.pack_expires_at = trusted_expiry(cfg) or 0.0
    status = read_status(cfg)
    sample.update_result = status.get("result") if status.get("result") in UPDATE_RESULTS else "never"
    sample.update_at = float(status.get("at") or 0)
    sample.update_ok_at = float(status.get("last_ok_at") or 0)


def collect(cfg: Config, *, printer_state: Callable[[], str | None] = lambda: None,
            today: Callable[[], dict] = dict, starts: int = 0, now: Callable[[], float] = time.time) -> Sample:
    sample = Sample(now=now(), starts=starts)
    state = printer_state()
    sample.printer_state = state if state in PRINTER_STATES else ("none" if state is None else "unknown")
    _calls(cfg, sample)
    wipe = _read_json(cfg.data_dir / "wipe-status.json")
    if wipe:
        sample.wipe_verified, sample.wipe_at = bool(wipe.get("clean")), float(wipe.get("at") or 0)
    _content(cfg, sample)
    figures = today() or {}
    sample.today = {name: int(figures.get(name, 0)) for name in TODAY_FIGURES}
    return sample


def _gauge(registry: CollectorRegistry, name: str, doc: str, value: float, **labels: str) -> None:
    from prometheus_client import Gauge

    g = Gauge(f"pas_a_pas_{name}", doc, list(labels), registry=registry)
    (g.labels(**labels) if labels else g).set(value)


def registry_for(sample: Sample) -> CollectorRegistry:
    # prometheus_client is imported here, at the first write (0.02 s of the start otherwise).
    from prometheus_client import CollectorRegistry, Counter, Gauge

    r = CollectorRegistry()
    _gauge(r, "up", "1 while the kiosk program runs", 1)
    _gauge(r, "heartbeat_timestamp_seconds", "when the kiosk last wrote this file", sample.now)
    printer = Gauge("pas_a_pas_printer_state", "1 for the printer's current state", ["state"], registry=r)
    for state in PRINTER_STATES:
        printer.labels(state=state).set(1 if state == sample.printer_state else 0)
    _gauge(r, "printer_paper_out", "1 when the receipt printer has no paper", sample.printer_state == "paper_out")
    _gauge(r, "help_calls_in_outbox", "help calls not yet ended", sample.calls_in_outbox)
    _gauge(r, "help_calls_not_acknowledged", "help calls no conseiller has answered", sample.calls_not_acknowledged)
    _gauge(r, "help_call_oldest_age_seconds", "age of the oldest help call waiting (0: none)",
           sample.oldest_call_age_s)
    _gauge(r, "wipe_verified", "1 when the last reset's wipe was verified (or none happened yet)",
           sample.wipe_verified)
    _gauge(r, "wipe_timestamp_seconds", "when the last reset's wipe ran (0: none yet)", sample.wipe_at)
    _gauge(r, "content_pack_info", "the content pack in use", 1, version=sample.pack_version,
           source=sample.pack_source)
    _gauge(r, "content_pack_signed_timestamp_seconds", "when the pack in use was signed (0: shipped)",
           sample.pack_signed_at)
    _gauge(r, "content_metadata_expiry_timestamp_seconds", "when the trusted signed metadata expires (0: none)",
           sample.pack_expires_at)
    result = Gauge("pas_a_pas_update_check_result", "1 for the last update check's result", ["result"], registry=r)
    for name in UPDATE_RESULTS:
        result.labels(result=name).set(1 if name == sample.update_result else 0)
    _gauge(r, "update_check_timestamp_seconds", "when the last update check ended (0: never)", sample.update_at)
    _gauge(r, "update_success_timestamp_seconds", "when an update check last reached the repository (0: never)",
           sample.update_ok_at)
    Counter("pas_a_pas_starts", "times the kiosk program started", registry=r).inc(sample.starts)
    today = Gauge("pas_a_pas_today", "today's anonymous totals", ["figure"], registry=r)
    for name, value in sample.today.items():
        today.labels(figure=name).set(value)
    return r


def count_start(cfg: Config) -> int:
    """Add this start to the kiosk's count of starts (kept in data_dir); the new count."""
    path = cfg.data_dir / STARTS_FILE
    starts = int(_read_json(path).get("starts", 0)) + 1
    try:
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"starts": starts}).encode("utf-8"))
    except OSError:
        log.warning("cannot record the start count in %s", path)
    return starts


class MetricsWriter:
    """Rewrites [metrics] textfile_dir/pas_a_pas.prom every [metrics] every_s, off the UI thread."""

    def __init__(self, cfg: Config, *, printer_state: Callable[[], str | None] = lambda: None,
                 today: Callable[[], dict] = dict):
        self.cfg, self._printer_state, self._today = cfg, printer_state, today
        self.path = cfg.metrics.textfile_dir.expanduser() / TEXTFILE_NAME
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._starts = 0
        self._failed = False

    def write_once(self) -> Path:
        sample = collect(self.cfg, printer_state=self._printer_state, today=self._today, starts=self._starts)
        from prometheus_client import write_to_textfile

        write_to_textfile(str(self.path), registry_for(sample))
        return self.path

    def start(self) -> None:
        if not self.cfg.metrics.enabled or self._thread is not None:
            return
        self._starts = count_start(self.cfg)
        self._thread = threading.Thread(target=self._loop, name="metrics", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            try:
                self.write_once()
                self._failed = False
            except Exception as e:  # a full disk must not stop the kiosk; one line, not one per period
                if not self._failed:
                    log.warning("cannot write metrics to %s (%s)", self.path, type(e).__name__)
                self._failed = True
            if self._stop.wait(self.cfg.metrics.every_s):
                return

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
