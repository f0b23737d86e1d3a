"""The serial connection against a printer played on a real socat pseudo-terminal pair."""

import threading

import pytest

from hardware.printer import PrinterStatus, PrintOutcome, check_printer
from hardware.printer.connections import SerialConnection
from kiosk.receipts import Receipt, qr
from tests.hardware.conftest import make_config, sample_receipt, wait_until
from tests.hardware.pty_printer import PtyPrinter, SocatPair
from tests.hardware.test_print_faults import StatusChanges


@pytest.fixture
def pair(tmp_path):
    pair = SocatPair(tmp_path)
    pair.start()
    yield pair
    pair.kill()


@pytest.fixture
def printers():
    made = []

    def make(device, mode="ready", **kw):
        printer = PtyPrinter(device, mode, **kw)
        made.append(printer)
        return printer

    yield make
    for printer in made:
        printer.close()


def serial_config(tmp_path, pair, **printer):
    settings = dict(connection="serial", serial_device=str(pair.kiosk_side), serial_baudrate=115200,
                    io_timeout_s=0.3, job_timeout_s=2.0, status_poll_s=1.0)
    settings.update(printer)
    return make_config(tmp_path, **settings)


def start(services, cfg):
    changes = StatusChanges()
    service = services(cfg)
    service.add_status_listener(changes)
    return service, changes


def test_receipt_reaches_the_printer_byte_for_byte(tmp_path, pair, printers, services, outcomes):
    from hardware.printer.render import render_escpos

    printer = printers(pair.printer_side)
    cfg = serial_config(tmp_path, pair)
    service, changes = start(services, cfg)
    changes.wait_for(PrinterStatus.READY)
    receipt = sample_receipt()
    assert service.submit(receipt, "k", outcomes)
    assert outcomes.wait() == [PrintOutcome("k", True, "print.done")]
    expected = render_escpos(receipt, cfg.printer)
    wait_until(lambda: len(printer.job_bytes()) >= len(expected))
    assert printer.job_bytes() == expected
    assert printer.status_requests >= 2


def test_paper_out_on_the_wire(tmp_path, pair, printers, services, outcomes):
    printer = printers(pair.printer_side, "paper_out")
    service, changes = start(services, serial_config(tmp_path, pair))
    changes.wait_for(PrinterStatus.PAPER_OUT)
    assert not service.submit(sample_receipt(), "k", outcomes)
    assert service.last_refusal_key == "print.paper_out"
    printer.mode = "ready"
    changes.wait_for(PrinterStatus.READY)
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait()[0].ok


def test_printer_off_is_offline_and_the_job_never_prints_when_it_comes_back(tmp_path, pair, printers, services,
                                                                             outcomes):
    pair.kill()                                       # adapter unplugged / printer off
    service, changes = start(services, serial_config(tmp_path, pair, job_timeout_s=1.0))
    changes.wait_for(PrinterStatus.OFFLINE)
    assert service.submit(sample_receipt(), "visitor-1", outcomes)
    assert outcomes.wait() == [PrintOutcome("visitor-1", False, "print.offline")]
    pair.start()
    printer = printers(pair.printer_side)
    changes.seen.clear()
    changes.wait_for(PrinterStatus.READY)             # back, for the next visitor
    assert printer.job_bytes() == b""


@pytest.mark.parametrize("mode, expected_status", [("silent", PrinterStatus.UNKNOWN),
                                                   ("garbage", PrinterStatus.UNKNOWN)])
def test_no_answer_or_garbage_never_reads_as_paper_ok(tmp_path, pair, printers, services, outcomes, mode,
                                                      expected_status):
    printer = printers(pair.printer_side, mode)
    service, changes = start(services, serial_config(tmp_path, pair, job_timeout_s=1.0))
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.calls == []   # submit did not wait for the printer's (missing) answer
    assert outcomes.wait() == [PrintOutcome("k", False, "print.offline")]
    assert service.status is expected_status
    assert printer.status_requests >= 2
    assert printer.job_bytes() == b""


def test_answer_after_the_time_limit_is_not_taken_for_the_next_answer(tmp_path, pair, printers):
    printers(pair.printer_side, "late", late_s=0.5)
    conn = SerialConnection(str(pair.kiosk_side), 115200, io_timeout_s=0.2)
    try:
        assert conn.read_status(0.2) is PrinterStatus.UNKNOWN      # the answer comes too late
        threading.Event().wait(0.8)                                 # the late byte lands in our buffer
        # The next read must flush it; with the printer still late it is unknown again,
        # not "ready" from the stale byte.
        assert conn.read_status(0.2) is PrinterStatus.UNKNOWN
    finally:
        conn.close()


def test_submit_returns_while_a_deaf_printer_blocks_writes(tmp_path, pair, printers, services, outcomes):
    printers(pair.printer_side, "deaf")               # never reads: pty buffers fill up
    # Status reads off, so the job is sent and the writes themselves must time out.
    service, changes = start(services, serial_config(tmp_path, pair, job_timeout_s=3.0, status_reads=False))
    big = Receipt(tuple(qr(f"https://www.service-public.fr/{n}") for n in range(12)))
    assert service.submit(big, "k1", outcomes)
    assert service.submit(sample_receipt(), "k2", outcomes)  # queued behind: still immediate
    assert outcomes.calls == []   # both submits came back while the printer still held k1
    results = {o.job_key: o for o in outcomes.wait(2)}
    assert not results["k1"].ok and results["k1"].message_key == "print.timeout"
    assert not results["k2"].ok


def test_disconnect_in_the_middle_of_a_job(tmp_path, pair, printers, services, outcomes):
    printer = printers(pair.printer_side)
    service, changes = start(services, serial_config(tmp_path, pair))
    changes.wait_for(PrinterStatus.READY)
    cut = threading.Event()
    unplug = threading.Thread(target=pair.kill)

    def pull_the_cable(total):
        if total > 2048 and not cut.is_set():
            cut.set()
            printer.mode = "deaf"
            unplug.start()

    printer.on_job_bytes = pull_the_cable
    big = Receipt(tuple(qr(f"https://www.service-public.fr/{n}") for n in range(12)))
    assert service.submit(big, "visitor-1", outcomes)
    [outcome] = outcomes.wait()
    assert cut.is_set()
    assert not outcome.ok and outcome.message_key in ("print.failed", "print.timeout")
    changes.wait_for(PrinterStatus.OFFLINE)
    # plugged back in: reconnects, and the half job is not sent again to the next visitor
    unplug.join()
    pair.start()
    again = printers(pair.printer_side)
    changes.seen.clear()
    changes.wait_for(PrinterStatus.READY)
    assert again.job_bytes() == b""
    assert len(outcomes.calls) == 1


def test_check_printer_on_serial(tmp_path, pair, printers):
    printer = printers(pair.printer_side)
    cfg = serial_config(tmp_path, pair)
    assert check_printer(cfg, 0.3)[0] == "OK"
    printer.mode = "paper_out"
    level, line = check_printer(cfg, 0.3)
    assert level == "FAIL" and "new roll" in line
    printer.mode = "silent"
    level, line = check_printer(cfg, 0.3)
    assert level == "FAIL" and "status_reads = false" in line
    pair.kill()
    level, line = check_printer(cfg, 0.3)
    assert level == "FAIL" and str(pair.kiosk_side) in line



@pytest.mark.parametrize("baudrate, io_timeout_s", [(1200, 2.0), (19200, 0.3), (115200, 2.0)])
def test_serial_chunks_cross_the_line_within_half_the_write_timeout(baudrate, io_timeout_s):
    conn = SerialConnection("/dev/null", baudrate, io_timeout_s)
    assert conn.chunk_bytes * 10 / baudrate <= io_timeout_s / 2
    assert conn.chunk_bytes >= 16
