"""PrintService with the embedded file spool, the dummy connection and recording fakes."""

import threading

from hardware.printer import PrinterStatus, PrintOutcome, PrintService
from hardware.printer.connections import DummyConnection
from kiosk.receipts import Receipt, paragraph
from tests.hardware.conftest import WAIT_S, RecordingConnection, make_config, sample_receipt
from tests.hardware.escpos_bytes import decode_qr, raster_images


def test_file_spool_gets_one_atomic_file_per_receipt_with_real_escpos(tmp_path, outcomes, services):
    service = services(make_config(tmp_path))
    assert service.submit(sample_receipt(), "visit-1", outcomes)
    [outcome] = outcomes.wait()
    assert outcome == PrintOutcome("visit-1", True, "print.done")
    [spooled] = list((tmp_path / "spool").iterdir())
    assert spooled.name.startswith("test-") and spooled.suffix == ".bin"
    data = spooled.read_bytes()
    assert b"\x1bt\x10" in data and "€".encode("cp1252") in data and data.endswith(b"\x1dV\x00")
    assert decode_qr(raster_images(data)[0]) == ["https://www.service-public.fr"]
    assert outcomes.calls[0][1] == "printer"  # from the worker thread
    assert service.status is PrinterStatus.READY


def test_file_spool_never_holds_what_the_visitor_typed(tmp_path, outcomes, services):
    service = services(make_config(tmp_path))
    receipt = Receipt((paragraph("Votre adresse : marie.dupont@exemple.fr", personal=True),), kind="procedure")
    assert service.submit(receipt, "k", outcomes)
    assert outcomes.wait()[0].ok
    [spooled] = list((tmp_path / "spool").iterdir())
    assert spooled.name.startswith("receipt-")
    assert b"marie.dupont" not in spooled.read_bytes()


def test_a_second_tap_with_the_same_key_does_not_print_twice(tmp_path, outcomes, services):
    conn = RecordingConnection(PrinterStatus.READY)
    service = services(make_config(tmp_path, connection="dummy"), lambda: conn)
    assert service.submit(sample_receipt(), "same", outcomes)
    assert not service.submit(sample_receipt(), "same", outcomes)
    assert service.last_refusal_key == "print.already"
    outcomes.wait()
    assert not service.submit(sample_receipt(), "same", outcomes)   # printed: still refused
    assert len(conn.jobs) == 1 and len(outcomes.calls) == 1


def test_after_cancel_pending_a_reused_key_prints_for_the_new_visitor(tmp_path, outcomes, services):
    conn = RecordingConnection(PrinterStatus.READY)
    service = services(make_config(tmp_path, connection="dummy"), lambda: conn)
    assert service.submit(sample_receipt(), "k", outcomes)
    outcomes.wait()
    service.cancel_pending()
    assert service.submit(sample_receipt(), "k", outcomes)
    outcomes.wait(2)
    assert len(conn.jobs) == 2


def test_cancel_pending_drops_queued_jobs_which_never_print(tmp_path, outcomes, services):
    conn = RecordingConnection(PrinterStatus.READY)
    conn.gate = threading.Event()   # the printer holds the first job
    service = services(make_config(tmp_path, connection="dummy"), lambda: conn)
    assert service.submit(sample_receipt(), "first", outcomes)
    assert conn.entered.wait(WAIT_S)
    assert service.submit(sample_receipt(), "second", outcomes)
    assert service.submit(sample_receipt(), "third", outcomes)
    assert service.cancel_pending() == 2
    assert service.pending_count == 0
    conn.gate.set()
    results = {o.job_key: o for o in outcomes.wait(3)}
    assert results["second"] == PrintOutcome("second", False, "print.cancelled")
    assert results["third"].message_key == "print.cancelled"
    assert results["first"].ok  # it was already being sent
    service.close()
    assert len(conn.jobs) == 1
    assert len(outcomes.calls) == 3  # exactly once each
    assert {thread for _, thread in outcomes.calls} == {"printer"}


def test_queue_is_bounded(tmp_path, outcomes, services):
    conn = RecordingConnection(PrinterStatus.READY)
    conn.gate = threading.Event()
    service = services(make_config(tmp_path, connection="dummy"), lambda: conn, queue_size=2)
    assert service.submit(sample_receipt(), "a", outcomes)
    assert conn.entered.wait(WAIT_S)
    assert service.submit(sample_receipt(), "b", outcomes)
    assert service.submit(sample_receipt(), "c", outcomes)
    assert not service.submit(sample_receipt(), "d", outcomes)
    assert service.last_refusal_key == "print.busy"
    conn.gate.set()
    assert [o.job_key for o in outcomes.wait(3)] == ["a", "b", "c"]


def test_connection_none_refuses_with_unavailable(tmp_path, outcomes, services):
    service = services(make_config(tmp_path, connection="none"))
    assert not service.submit(sample_receipt(), "k", outcomes)
    assert service.last_refusal_key == "print.unavailable"
    assert service.status is PrinterStatus.OFFLINE
    assert outcomes.calls == []
    service.add_status_listener(outcomes)   # accepted; nothing ever changes, nothing is queued
    assert service.pending_count == 0 and service._notices == []


def test_dummy_connection_keeps_bytes_in_memory(tmp_path, outcomes, services):
    conn = DummyConnection()
    service = services(make_config(tmp_path, connection="dummy"), lambda: conn)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait()[0].ok
    assert len(conn.jobs) == 1 and conn.jobs[0].endswith(b"\x1dV\x00")
    assert not (tmp_path / "spool").exists()


def test_submit_after_close_is_refused(tmp_path, outcomes):
    service = PrintService(make_config(tmp_path, connection="dummy"))
    service.close()
    assert not service.submit(sample_receipt(), "k", outcomes)
    assert service.last_refusal_key == "print.unavailable"


def test_a_failing_on_done_does_not_stop_the_printer(tmp_path, outcomes, services):
    conn = RecordingConnection(PrinterStatus.READY)
    service = services(make_config(tmp_path, connection="dummy"), lambda: conn)

    def broken(_outcome):
        raise RuntimeError("app bug")

    assert service.submit(sample_receipt(), "a", broken)
    assert service.submit(sample_receipt(), "b", outcomes)
    assert outcomes.wait()[0].ok
    assert len(conn.jobs) == 2



def test_file_spool_keeps_only_the_newest_files(tmp_path, outcomes, monkeypatch):
    import hardware.printer.connections as connections

    monkeypatch.setattr(connections, "SPOOL_KEEP_FILES", 3)
    conn = connections.FileConnection(tmp_path / "spool")
    for n in range(5):
        conn.write(f"job {n}".encode(), "procedure", deadline=float("inf"))
    kept = sorted(p.read_bytes() for p in (tmp_path / "spool").iterdir())
    assert kept == [b"job 2", b"job 3", b"job 4"]


def test_every_message_the_service_can_give_is_translated():
    import hardware.printer.service as printer
    from kiosk.i18n import Catalog

    keys = {value for name, value in vars(printer).items()
            if isinstance(value, str) and value.startswith("print.") and name.isupper()}
    assert {"print.done", "print.paper_out", "print.offline", "print.timeout", "print.cancelled"} <= keys
    assert keys <= Catalog().keys()


def test_dummy_connection_keeps_only_the_last_jobs():
    conn = DummyConnection()
    for n in range(DummyConnection.keep_jobs + 3):
        conn.write(f"job {n}".encode(), "procedure", deadline=float("inf"))
    assert len(conn.jobs) == DummyConnection.keep_jobs
    assert conn.jobs[-1] == f"job {DummyConnection.keep_jobs + 2}".encode() and conn.jobs[0] == b"job 3"
