"""check_printer (for `kiosk doctor`): one level and one plain line, and it creates nothing."""

import os
import socket
import threading

import pytest

from hardware.printer import check_printer
from hardware.printer.status import ANSWER_ONLINE, ANSWER_PAPER_LOW
from kiosk import doctor
from tests.hardware.conftest import make_config, wait_until


def test_no_printer_is_a_warning(tmp_path):
    level, line = check_printer(make_config(tmp_path, connection="none"), 0.2)
    assert level == "WARN" and "QR code on screen" in line


def test_file_spool_missing_is_a_warning_and_is_not_created(tmp_path):
    level, line = check_printer(make_config(tmp_path), 0.2)
    assert level == "WARN" and "created at first print" in line
    assert not (tmp_path / "spool").exists()


def test_file_spool_not_writable_fails(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    (tmp_path / "spool").mkdir(mode=0o500)
    assert check_printer(make_config(tmp_path), 0.2)[0] == "FAIL"


def test_file_spool_that_is_a_file_fails(tmp_path):
    (tmp_path / "spool").write_text("")
    level, line = check_printer(make_config(tmp_path), 0.2)
    assert level == "FAIL" and "not a folder" in line


def test_unknown_profile_fails(tmp_path):
    level, line = check_printer(make_config(tmp_path, profile="NoSuchPrinter"), 0.2)
    assert level == "FAIL" and "NoSuchPrinter" in line


def test_dummy_is_a_warning(tmp_path):
    assert check_printer(make_config(tmp_path, connection="dummy"), 0.2)[0] == "WARN"


class TcpPrinter:
    """A network printer on 127.0.0.1 that answers DLE EOT with fixed bytes and records jobs."""

    def __init__(self, paper: bytes, printer: bytes = ANSWER_ONLINE):
        self.paper, self.printer = paper, printer
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.connections = 0
        self._open = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            with conn:
                while data := self._recv(conn):
                    while b"\x10\x04" in data:
                        at = data.index(b"\x10\x04")
                        self.received += data[:at]
                        conn.sendall(self.paper if data[at + 2] == 4 else self.printer)
                        data = data[at + 3:]
                    self.received += data

    @staticmethod
    def _recv(conn):
        try:
            return conn.recv(4096)
        except OSError:
            return b""

    def drop_connections(self):
        for conn in self._open:
            conn.shutdown(socket.SHUT_RDWR)
        self._open.clear()

    def close(self):
        self.server.close()


def test_network_printer_paper_low_is_a_warning(tmp_path):
    printer = TcpPrinter(ANSWER_PAPER_LOW)
    try:
        cfg = make_config(tmp_path, connection="network", network_host="127.0.0.1", network_port=printer.port)
        level, line = check_printer(cfg, 0.5)
        assert level == "WARN" and "new roll" in line
    finally:
        printer.close()


def test_network_printer_refusing_connections_fails_with_the_reason(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    cfg = make_config(tmp_path, connection="network", network_host="127.0.0.1", network_port=port)
    level, line = check_printer(cfg, 0.5)
    assert level == "FAIL" and f"127.0.0.1:{port}" in line and "refused" in line.lower()


def test_network_printer_prints_through_the_service(tmp_path, services, outcomes):
    from tests.hardware.conftest import sample_receipt

    printer = TcpPrinter(b"\x12")
    try:
        cfg = make_config(tmp_path, connection="network", network_host="127.0.0.1", network_port=printer.port,
                          io_timeout_s=0.5)
        service = services(cfg)
        assert service.submit(sample_receipt(), "k", outcomes)
        assert outcomes.wait()[0].ok
        wait_until(lambda: bytes(printer.received).endswith(b"\x1dV\x00"))
    finally:
        printer.close()


def test_doctor_reports_the_real_printer_check(tmp_path):
    [result] = doctor.check_printer(make_config(tmp_path, connection="none"), doctor.Environment())
    assert result.level == "WARN" and result.name == "printer"


def test_usb_printer_not_plugged_in_fails_with_its_ids(tmp_path):
    cfg = make_config(tmp_path, connection="usb", usb_vendor_id=0x04B8, usb_product_id=0x0E15)
    level, line = check_printer(cfg, 0.2)
    assert level == "FAIL" and "04b8:0e15" in line


def test_usb_printer_not_plugged_in_is_offline_in_the_service(tmp_path, services, outcomes):
    from hardware.printer import PrinterStatus
    from tests.hardware.conftest import sample_receipt

    service = services(make_config(tmp_path, connection="usb", job_timeout_s=1.0))
    assert service.submit(sample_receipt(), "k", outcomes)
    assert outcomes.wait()[0].message_key == "print.offline"
    assert service.status is PrinterStatus.OFFLINE


def test_network_printer_closing_an_idle_connection_is_not_reported_offline(tmp_path):
    from hardware.printer import PrinterStatus
    from hardware.printer.connections import NetworkConnection

    printer = TcpPrinter(b"\x12")
    conn = NetworkConnection("127.0.0.1", printer.port, 0.5)
    try:
        assert conn.read_status(0.5) is PrinterStatus.READY
        accepted = printer.connections
        printer.drop_connections()             # the printer closes idle sockets
        assert conn.read_status(0.5) is PrinterStatus.READY
        assert printer.connections == accepted + 1   # it reconnected once
    finally:
        conn.close()
        printer.close()
