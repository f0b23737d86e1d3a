"""A serial printer unplugged and plugged back, and jobs the printer never fully took (issue 18).

Real parts: the serial printer is played on a socat pseudo-terminal pair; "unplugged" is
socat killed (the kiosk's open port then fails with EIO and the device path vanishes),
"plugged back" is a new socat making the link again at the same path, as udev does for a
USB-serial adapter. The network printer is a TCP server on 127.0.0.1. USB has no real part
here: a connection whose endpoint reports a short transfer stands in for it.
"""

import logging
import socket
import threading
import time

import pytest

from hardware.printer import PrinterIOError, PrinterStatus, PrintOutcome, SerialConnection, UsbConnection, render_escpos
from kiosk.i18n import Catalog
from kiosk.receipts import Receipt, qr
from tests.hardware.conftest import WAIT_S, make_config, sample_receipt, wait_until
from tests.hardware.pty_printer import PtyPrinter, SocatPair
from tests.hardware.test_print_serial import serial_config, start

STOPS_AFTER_BYTES = 3072    # what the printer takes of the job before it stops reading


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
    # "done" comes only after the printer answered behind the job: every byte is already there.
    assert again.job_bytes() == render_escpos(receipt, cfg.printer)
    assert error_lines(caplog) == []


# ----- « imprimé » only for what the printer took -----------------------------------------------
def assert_not_said_printed(outcome):
    assert not outcome.ok
    assert outcome.message_key != "print.done"
    assert "imprimé" not in Catalog()(outcome.message_key)


def test_printer_that_stops_reading_mid_job_is_not_reported_printed(tmp_path, pair, printers, services, outcomes):
    printer = printers(pair.printer_side, deaf_after=STOPS_AFTER_BYTES)
    cfg = serial_config(tmp_path, pair, job_timeout_s=3.0, status_poll_s=600)
    service, changes = start(services, cfg)
    changes.wait_for(PrinterStatus.READY)
    receipt = sample_receipt()
    total = len(render_escpos(receipt, cfg.printer))
    assert total > 3 * STOPS_AFTER_BYTES    # the whole job fits in the pty's buffers: every write succeeds
    assert service.submit(receipt, "k", outcomes)
    [outcome] = outcomes.wait()
    assert_not_said_printed(outcome)
    assert len(printer.job_bytes()) <= STOPS_AFTER_BYTES + 2


def test_printer_that_vanishes_mid_job_is_not_reported_printed(tmp_path, pair, printers, services, outcomes):
    printer = printers(pair.printer_side, deaf_after=STOPS_AFTER_BYTES)
    cfg = serial_config(tmp_path, pair, job_timeout_s=3.0, status_poll_s=600)
    service, changes = start(services, cfg)
    changes.wait_for(PrinterStatus.READY)
    pulled = threading.Event()

    def pull_the_cable(total):
        if total >= STOPS_AFTER_BYTES and not pulled.is_set():
            pulled.set()
            threading.Thread(target=pair.kill).start()

    printer.on_job_bytes = pull_the_cable
    assert service.submit(sample_receipt(), "k", outcomes)
    [outcome] = outcomes.wait()
    assert_not_said_printed(outcome)
    assert pulled.wait(WAIT_S)
    wait_until(lambda: not pair.kiosk_side.exists())
    assert len(printer.job_bytes()) <= STOPS_AFTER_BYTES + 2


class StallingTcpPrinter:
    """A network printer on 127.0.0.1 that reads stop_after bytes of the job, then stops reading
    until resume is set; what it reads after that is in `late`.

    Its receive buffer is made small, as a printer's is, so the kiosk's kernel cannot hand it
    the whole job: the rest waits, unacknowledged, in the kiosk's send buffer.
    """

    def __init__(self, stop_after: int):
        self.stop_after = stop_after
        self.received = bytearray()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.stalled = threading.Event()
        self.resume = threading.Event()
        self.late = bytearray()
        self.receive_buffer_bytes = 0
        self.finished = threading.Event()      # the connection ended after resume
        self._conns = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        self._conns.append(conn)
        self.receive_buffer_bytes = conn.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        while len(self.received) < self.stop_after:
            try:
                data = conn.recv(self.stop_after - len(self.received))
            except OSError:
                return
            if not data:
                return
            self.received += data
        self.stalled.set()
        self.resume.wait(WAIT_S)
        try:
            while data := conn.recv(4096):
                self.late += data
        except OSError:
            pass
        self.finished.set()

    def close(self):
        for conn in self._conns:
            conn.close()
        self.server.close()


def test_network_printer_that_stops_reading_is_not_reported_printed(tmp_path, services, outcomes):
    printer = StallingTcpPrinter(STOPS_AFTER_BYTES)
    try:
        # Status reads off: only the drain (every byte acknowledged by the printer) can tell.
        cfg = make_config(tmp_path, connection="network", network_host="127.0.0.1", network_port=printer.port,
                          io_timeout_s=0.5, job_timeout_s=2.0, status_reads=False)
        receipt = Receipt(tuple(qr(f"https://www.service-public.fr/{n}") for n in range(3)))
        assert len(render_escpos(receipt, cfg.printer)) > 10 * STOPS_AFTER_BYTES
        service = services(cfg)
        assert service.submit(receipt, "k", outcomes)
        [outcome] = outcomes.wait()
        assert printer.stalled.wait(WAIT_S)
        assert_not_said_printed(outcome)
        assert len(printer.received) == STOPS_AFTER_BYTES
        # The printer wakes up: the dropped job's rest must not print now, for the next visitor.
        # Only what its own receive buffer already held can still come (the kernel acknowledged it).
        printer.resume.set()
        assert printer.finished.wait(WAIT_S)
        assert len(printer.late) <= printer.receive_buffer_bytes
    finally:
        printer.close()


class HalfTakingEndpoint:
    """A bulk-out endpoint that takes half of each transfer and says so, as pyusb's write() does."""

    def __init__(self):
        self.taken = bytearray()

    def write(self, data, timeout):
        half = data[:len(data) // 2]
        self.taken += half
        return len(half)


class ShortUsbPrinter(UsbConnection):
    def __init__(self):
        super().__init__(0x04B8, 0x0E15, io_timeout_s=0.2)
        self.endpoint = HalfTakingEndpoint()

    def _open(self):
        self._out = self.endpoint

    def _close(self):
        self._out = None


def test_usb_transfer_the_printer_took_in_part_fails():
    conn = ShortUsbPrinter()
    with pytest.raises(PrinterIOError, match="took 512 of 1024 bytes"):
        conn.write(b"x" * 4096, "procedure", deadline=time.monotonic() + 10)
    assert len(conn.endpoint.taken) == 512   # stopped at the first short transfer
