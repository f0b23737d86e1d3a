"""The node_exporter textfile: it parses (prometheus_client and promtool) and names no visitor."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import replace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.config import Config, KioskSection, MetricsSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.metrics import MetricsWriter, collect, count_start
from kiosk.services import default_services
from kiosk.session import State
from tests.speech_support import RecordingSpeaker

CANARY = "Canari-Dupont-0612345678"


def _values(text: str) -> dict[tuple, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def metrics_cfg(tmp_path) -> Config:
    data, prom = tmp_path / "data", tmp_path / "textfile"
    prom.mkdir()
    return Config(kiosk=KioskSection(data_dir=data), printer=PrinterSection(connection="file"),
                  metrics=MetricsSection(enabled=True, textfile_dir=prom, every_s=5))


def test_the_file_parses_and_says_what_the_kiosk_is_doing(metrics_cfg):
    outbox = metrics_cfg.data_path(metrics_cfg.helpcall.outbox_dir)
    outbox.mkdir(parents=True)
    now = time.time()
    for n, (status, age) in enumerate((("waiting", 400), ("delivered", 30), ("acknowledged", 900))):
        (outbox / f"{n:032x}.json").write_text(json.dumps({"id": f"{n:032x}", "status": status,
                                                          "created_at": now - age}))
    metrics_cfg.data_dir.joinpath("wipe-status.json").write_text(json.dumps({"at": now, "clean": False}))
    writer = MetricsWriter(metrics_cfg, printer_state=lambda: "paper_out", today=lambda: {"sessions": 3})
    text = writer.write_once().read_text()
    v = _values(text)
    assert v[("pas_a_pas_up", ())] == 1
    assert abs(v[("pas_a_pas_heartbeat_timestamp_seconds", ())] - now) < 60
    assert v[("pas_a_pas_printer_state", (("state", "paper_out"),))] == 1
    assert v[("pas_a_pas_printer_state", (("state", "ready"),))] == 0
    assert v[("pas_a_pas_printer_paper_out", ())] == 1
    assert v[("pas_a_pas_help_calls_in_outbox", ())] == 2  # the acknowledged one has ended
    assert v[("pas_a_pas_help_calls_not_acknowledged", ())] == 2
    assert 399 <= v[("pas_a_pas_help_call_oldest_age_seconds", ())] < 460
    assert v[("pas_a_pas_wipe_verified", ())] == 0
    assert v[("pas_a_pas_content_pack_info", (("source", "shipped"), ("version", "shipped")))] == 1
    assert v[("pas_a_pas_today", (("figure", "sessions"),))] == 3
    assert v[("pas_a_pas_update_check_result", (("result", "off"),))] == 1
    if not shutil.which("promtool"):
        pytest.skip("promtool is not installed (Debian package prometheus; scripts/setup.sh installs it)")
    done = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_starts_are_counted_across_restarts_and_the_writer_thread_stops(metrics_cfg):
    assert count_start(metrics_cfg) == 1
    writer = MetricsWriter(metrics_cfg)
    writer.start()
    try:
        for _ in range(100):
            if writer.path.exists():
                break
            time.sleep(0.05)
        assert _values(writer.path.read_text())[("pas_a_pas_starts_total", ())] == 2
    finally:
        writer.close()
    assert not [t for t in __import__("threading").enumerate() if t.name == "metrics"]


def test_an_unwritable_folder_is_one_log_line_not_a_crash(metrics_cfg, tmp_path, caplog):
    cfg = replace(metrics_cfg, metrics=replace(metrics_cfg.metrics, textfile_dir=tmp_path / "missing"))
    writer = MetricsWriter(cfg)
    writer.start()
    time.sleep(0.3)
    writer.close()
    lines = [r for r in caplog.records if r.name == "kiosk.metrics"]
    assert len(lines) == 1 and "cannot write metrics" in lines[0].getMessage()


def _walk_with(c: KioskController, procedure_id: str, typed: str) -> None:
    c.start_session()
    c.open_procedure(procedure_id)
    for _ in range(40):
        if c.machine.state is State.SUMMARY:
            return
        step = c.machine.step
        if step.kind == "question":
            c.choose(0)
        elif step.kind == "field":
            c.set_field(typed)
            c.next()
        else:
            c.next()


def test_nothing_in_the_file_can_name_a_visitor_or_what_they_did(metrics_cfg, real_pack):
    services = default_services(metrics_cfg)
    c = KioskController(metrics_cfg, real_pack, services, speaker=RecordingSpeaker())
    c.start()
    procedure = real_pack.procedures["creer-adresse-email"]
    try:
        _walk_with(c, procedure.id, CANARY)
        assert c.machine.state is State.SUMMARY
        c.call_help()
        c.end_session("visitor finished")
        writer = MetricsWriter(metrics_cfg, printer_state=lambda: services.printer.status.value, today=c.today)
        text = writer.write_once().read_text()
    finally:
        c.close()
    v = _values(text)
    assert v[("pas_a_pas_today", (("figure", "sessions"),))] >= 1, "the file must reflect the visit"
    assert v[("pas_a_pas_today", (("figure", "help_calls"),))] >= 1
    lowered = text.lower()
    for secret in (CANARY, "dupont", "0612345678", procedure.id, procedure.title):
        assert secret.lower() not in lowered, f"{secret!r} reached the metrics file"
    labels = [(k, v) for family in text_string_to_metric_families(text) for s in family.samples
              for k, v in s.labels.items()]
    assert {k for k, _ in labels} <= {"state", "version", "source", "result", "figure"}
    step_ids = {step.id for p in real_pack.procedures.values() for step in p.steps}
    assert not {v for _, v in labels} & (step_ids | set(real_pack.procedures)), "a label names a step or procedure"


def test_collect_reads_only_and_never_creates_the_data_dir(tmp_path):
    cfg = Config(kiosk=KioskSection(data_dir=tmp_path / "absent"))
    sample = collect(cfg)
    assert sample.calls_in_outbox == 0 and sample.pack_source == "shipped"
    assert not (tmp_path / "absent").exists()


def test_a_started_kiosk_writes_the_file_and_its_controller_asks_for_updates(metrics_cfg, real_pack):
    # The real services of `kiosk run`: the controller starts the metrics writer and takes
    # the update service's on_attract, so a running kiosk reports itself without extra wiring.
    services = default_services(metrics_cfg)
    c = KioskController(metrics_cfg, real_pack, services, speaker=RecordingSpeaker())
    assert c.pack_updates == services.updates.on_attract
    c.start()
    path = metrics_cfg.metrics.textfile_dir / "pas_a_pas.prom"
    try:
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _values(path.read_text())[("pas_a_pas_up", ())] == 1
    finally:
        c.close()
    assert services.metrics._thread is None  # closed with the other services
