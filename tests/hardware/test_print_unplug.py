"""A serial printer unplugged and plugged back (issue 18).

Real parts: the serial printer is played on a socat pseudo-terminal pair; "unplugged" is
socat killed (the kiosk's open port then fails with EIO and the device path vanishes),
"plugged back" is a new socat making the link again at the same path, as udev does for a
USB-serial adapter.
"""

import logging

import pytest

from hardware.printer import PrinterStatus, PrintOutcome, SerialConnection, render_escpos
from tests.hardware.conftest import sample_receipt, wait_until
from tests.hardware.pty_printer import PtyPrinter, SocatPair
from tests.hardware.test_print_serial import serial_config, start


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


def error_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def unplug(pair, printer):
    printer.close()
    pair.kill()
    assert not pair.kiosk_side.exists()


# ----- unplugged and plugged back -------------------------------------------------------------
def test_serial_connection_reopens_after_the_adapter_is_plugged_back(tmp_path, pair, printers):
    printer = printers(pair.printer_side)
    conn = SerialConnection(str(pair.kiosk_side), 115200, io_timeout_s=0.3)
    try:
        assert conn.read_status(0.3) is PrinterStatus.READY     # the port is now kept open
        unplug(pair, printer)
        assert conn.read_status(0.3) is PrinterStatus.OFFLINE   # EIO on the open port: not a crash
        pair.start()                                            # same path, a new device
        printers(pair.printer_side)
        assert conn.read_status(0.3) is PrinterStatus.READY
    finally:
        conn.close()


def test_after_a_replug_the_next_job_prints_without_an_error_flood(tmp_path, pair, printers, services, outcomes,
                                                                  caplog):
    caplog.set_level(logging.INFO, logger="hardware")
    printer = printers(pair.printer_side)
    cfg = serial_config(tmp_path, pair, job_timeout_s=2.0, status_poll_s=1.0)
    service, changes = start(services, cfg)
    changes.wait_for(PrinterStatus.READY)
    unplug(pair, printer)
    changes.wait_for(PrinterStatus.OFFLINE)
    # A visitor prints while it is out: the job waits, reading status every 0.5 s, until its limit.
    assert service.submit(sample_receipt(), "visitor-1", outcomes)
    assert outcomes.wait() == [PrintOutcome("visitor-1", False, "print.offline")]
    assert error_lines(caplog) == []        # a printer pulled out is a warning for conseillers, not a bug
    pair.start()
    again = printers(pair.printer_side)
    changes.seen.clear()
    changes.wait_for(PrinterStatus.READY)
    receipt = sample_receipt()
    assert service.submit(receipt, "visitor-2", outcomes)
    assert outcomes.wait(2)[1] == PrintOutcome("visitor-2", True, "print.done")
    expected = render_escpos(receipt, cfg.printer)
    wait_until(lambda: len(again.job_bytes()) >= len(expected))
    assert again.job_bytes() == expected
    assert error_lines(caplog) == []
