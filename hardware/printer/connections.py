"""Thin connections that carry ready-made ESC/POS bytes to a printer, with timeouts.

Each connection knows four things: read the printer's status, write one job's bytes
before a deadline, say whether the printer took them all, and close. Every read and write is
bounded by io_timeout_s and a write also stops at the job's deadline, so a dead printer costs
the worker thread a few seconds, never the UI. Connections open lazily and are reopened after
any error (a serial adapter pulled out and plugged back in comes back on the next poll).

A write returns only once the bytes have left the kiosk: drained from the tty's output queue
(serial, then tcdrain), every USB transfer complete, every TCP byte acknowledged by the
printer (network). Bytes accepted into a buffer are not printed bytes: a 13,943-byte job
fits in a pty's buffers whole, and the device may vanish before it reads them.

Errors carry only technical text (device, errno): a job's bytes never reach a message.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import socket
import struct
import tempfile
import termios
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

from hardware.printer.status import DLE_EOT_PAPER, DLE_EOT_PRINTER, PrinterStatus, status_from_answers

log = logging.getLogger(__name__)

# Small chunks so a job's deadline is checked often while a slow printer drains its buffer.
CHUNK_BYTES = 1024
DRAIN_POLL_S = 0.02     # how often the output queue is read while it drains
# The spool stands in for paper on development and demo kiosks that run for months:
# keep the newest files only, so it never fills the disk.
SPOOL_KEEP_FILES = 500


class PrinterIOError(Exception):
    """The printer cannot be reached or stopped answering (technical text, no receipt content)."""


class PrinterTimeout(PrinterIOError):
    """A write did not finish within its time limit."""


class Connection:
    """Base class; `can_read_status` says whether read_status asks the printer itself."""

    name = "connection"
    can_read_status = False

    def read_status(self, timeout_s: float) -> PrinterStatus:
        raise NotImplementedError

    def write(self, data: bytes, kind: str, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        raise NotImplementedError

    def confirm_received(self, timeout_s: float) -> PrinterStatus | None:
        """After write(): the printer's status once it has read every byte of the job.

        None when this connection cannot ask (the write itself was the whole job: a file, memory).
        """
        return None

    def close(self) -> None:
        pass


class StreamConnection(Connection):
    """A byte stream to the printer (serial, TCP, USB) that can ask DLE EOT status."""

    can_read_status = True
    chunk_bytes = CHUNK_BYTES

    def __init__(self, io_timeout_s: float):
        self.io_timeout_s = io_timeout_s
        self._open_now = False
        self._was_open = False
        self.last_error: str | None = None  # why the last status read found no printer

    # subclasses: one open, one bounded send, one bounded query, one close
    def _open(self) -> None:
        raise NotImplementedError

    def _send(self, chunk: bytes) -> None:
        raise NotImplementedError

    def _query(self, request: bytes, timeout_s: float) -> bytes:
        """Send request and return the first byte of the answer, b"" when none came in time."""
        raise NotImplementedError

    def _drain(self, deadline: float, clock: Callable[[], float]) -> None:
        """Return once every byte sent has left for the printer (raises PrinterTimeout at deadline)."""

    def _close(self) -> None:
        raise NotImplementedError

    def open(self) -> None:
        """Open now if not open yet (raises PrinterIOError)."""
        if not self._open_now:
            self._open()
            self._open_now = True

    def read_status(self, timeout_s: float) -> PrinterStatus:
        try:
            try:
                paper, printer = self._ask(timeout_s)
            except PrinterIOError:
                if not self._was_open:
                    raise
                # A connection kept open between jobs may have gone stale (a network printer
                # closing idle sockets, an adapter re-plugged): one fresh try before "offline".
                self.close()
                paper, printer = self._ask(timeout_s)
        except PrinterIOError as e:
            if str(e) != self.last_error:  # once per cause, not at every poll
                log.info("printer %s not reachable: %s", self.name, e)
            self.last_error = str(e)
            self.close()
            return PrinterStatus.OFFLINE
        self.last_error = None
        return status_from_answers(paper, printer)

    def _ask(self, timeout_s: float) -> tuple[bytes, bytes | None]:
        self._was_open = self._open_now
        self.open()
        paper = self._query(DLE_EOT_PAPER, timeout_s)
        printer = self._query(DLE_EOT_PRINTER, timeout_s) if paper else None
        return paper, printer

    def write(self, data: bytes, kind: str, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        try:
            self.open()
            for start in range(0, len(data), self.chunk_bytes):
                if clock() >= deadline:
                    raise PrinterTimeout(f"{self.name}: job deadline passed after {start} of {len(data)} bytes")
                self._send(data[start:start + self.chunk_bytes])
            self._drain(deadline, clock)
        except PrinterIOError:
            self.close()
            raise

    def confirm_received(self, timeout_s: float) -> PrinterStatus | None:
        """Ask status on the very connection the job went through, behind the job's bytes.

        A printer reads its input in order, so its answer proves it read the whole job. Never
        reopens: a device plugged back in meanwhile is a new device that got none of the job.
        """
        if not self._open_now:
            raise PrinterIOError(f"{self.name}: connection lost during the job")
        try:
            paper = self._query(DLE_EOT_PAPER, timeout_s)
            printer = self._query(DLE_EOT_PRINTER, timeout_s) if paper else None
        except PrinterIOError:
            self.close()
            raise
        return status_from_answers(paper, printer)

    def close(self) -> None:
        if self._open_now:
            self._open_now = False
            try:
                self._close()
            except Exception as e:  # closing a vanished device may fail; it is gone either way
                log.debug("closing %s: %s", self.name, e)


class SerialConnection(StreamConnection):
    def __init__(self, device: str, baudrate: int, io_timeout_s: float):
        super().__init__(io_timeout_s)
        self.device, self.baudrate = device, baudrate
        self.name = f"serial {device}"
        self._port = None
        # A chunk must cross the line well within the write timeout, or a slow but healthy
        # printer would read as stuck (1 kB takes 8.5 s at 1200 baud).
        bytes_per_s = baudrate / 10  # 8 data bits + start + stop
        self.chunk_bytes = max(16, min(CHUNK_BYTES, int(bytes_per_s * io_timeout_s / 2)))

    def _open(self) -> None:
        import serial

        try:
            self._port = serial.Serial(self.device, self.baudrate, timeout=self.io_timeout_s,
                                       write_timeout=self.io_timeout_s, exclusive=True)
        except (serial.SerialException, OSError, ValueError, termios.error) as e:
            raise PrinterIOError(f"cannot open {self.device}: {e}") from None

    def _send(self, chunk: bytes) -> None:
        import serial

        try:
            self._port.write(chunk)
        except serial.SerialTimeoutException:
            raise PrinterTimeout(f"{self.device}: write took more than {self.io_timeout_s:g} s") from None
        except _port_faults() as e:
            raise PrinterIOError(f"{self.device}: write failed: {e}") from None

    def _query(self, request: bytes, timeout_s: float) -> bytes:
        import serial

        try:
            # Drop a late answer to an earlier request so it is not taken for this one.
            self._port.reset_input_buffer()
            self._port.timeout = timeout_s
            self._port.write(request)
            return self._port.read(1)
        except serial.SerialTimeoutException:
            return b""
        except _port_faults() as e:
            raise PrinterIOError(f"{self.device}: status read failed: {e}") from None

    def _drain(self, deadline: float, clock: Callable[[], float]) -> None:
        """Wait, up to the job's deadline, for the output queue to empty, then tcdrain.

        tcdrain alone has no time limit; with the queue already empty it only waits for the
        adapter's last bytes to cross the line.
        """
        try:
            while (left := self._port.out_waiting) > 0:
                if clock() >= deadline:
                    raise PrinterTimeout(f"{self.device}: {left} bytes still waiting at the job's deadline")
                time.sleep(DRAIN_POLL_S)
            self._port.flush()   # tcdrain
        except _port_faults() as e:
            raise PrinterIOError(f"{self.device}: output could not drain: {e}") from None

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            port.close()


def _port_faults() -> tuple[type[BaseException], ...]:
    """What an open serial port raises once its device is gone.

    termios.error is no OSError: reset_input_buffer(), flush() and changing the timeout
    raise it (EIO) after the adapter was pulled out; pyserial raises TypeError when the
    device vanished under a read.
    """
    import serial

    return serial.SerialException, OSError, termios.error, TypeError


class NetworkConnection(StreamConnection):
    def __init__(self, host: str, port: int, io_timeout_s: float):
        super().__init__(io_timeout_s)
        self.host, self.port = host, port
        self.name = f"network {host}:{port}"
        self._sock: socket.socket | None = None

    def _open(self) -> None:
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.io_timeout_s)
        except OSError as e:
            raise PrinterIOError(f"cannot connect to {self.host}:{self.port}: {e}") from None

    def _send(self, chunk: bytes) -> None:
        try:
            self._sock.settimeout(self.io_timeout_s)
            self._sock.sendall(chunk)
        except socket.timeout:
            raise PrinterTimeout(f"{self.host}:{self.port}: write took more than {self.io_timeout_s:g} s") from None
        except OSError as e:
            raise PrinterIOError(f"{self.host}:{self.port}: write failed: {e}") from None

    def _query(self, request: bytes, timeout_s: float) -> bytes:
        sock = self._sock
        try:
            sock.setblocking(False)
            try:
                while sock.recv(256):  # drop late answers to earlier requests
                    pass
                raise PrinterIOError(f"{self.host}:{self.port}: connection closed by the printer")
            except BlockingIOError:
                pass
            sock.settimeout(timeout_s)
            sock.sendall(request)
            answer = sock.recv(1)
        except socket.timeout:
            return b""
        except OSError as e:
            raise PrinterIOError(f"{self.host}:{self.port}: status read failed: {e}") from None
        if not answer:
            raise PrinterIOError(f"{self.host}:{self.port}: connection closed by the printer")
        return answer

    def _drain(self, deadline: float, clock: Callable[[], float]) -> None:
        """Wait, up to the job's deadline, until the printer has acknowledged every byte sent.

        SIOCOUTQ (Linux: the same number as TIOCOUTQ) counts bytes sent but not yet acknowledged.
        """
        try:
            while (left := _unacknowledged_bytes(self._sock)) > 0:
                if clock() >= deadline:
                    raise PrinterTimeout(f"{self.host}:{self.port}: {left} bytes not acknowledged "
                                         "by the job's deadline")
                time.sleep(DRAIN_POLL_S)
        except OSError as e:
            raise PrinterIOError(f"{self.host}:{self.port}: output could not drain: {e}") from None

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            if _unacknowledged_bytes(sock) > 0:
                # A job dropped half-way: reset the connection, or the kernel would go on sending
                # its rest after close, and it would print for whoever stands there next.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        finally:
            sock.close()


def _unacknowledged_bytes(sock: socket.socket) -> int:
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]


class UsbConnection(StreamConnection):
    """USB printer class device through pyusb (bulk out for jobs, bulk in for status)."""

    def __init__(self, vendor_id: int, product_id: int, io_timeout_s: float):
        super().__init__(io_timeout_s)
        self.vendor_id, self.product_id = vendor_id, product_id
        self.name = f"usb {vendor_id:04x}:{product_id:04x}"
        self._dev = self._out = self._in = None

    def _open(self) -> None:
        try:
            import usb.core
            import usb.util
        except ImportError:
            raise PrinterIOError("pyusb is not installed (pip install pyusb)") from None
        try:
            dev = usb.core.find(idVendor=self.vendor_id, idProduct=self.product_id)
            if dev is None:
                raise PrinterIOError(f"no USB device {self.vendor_id:04x}:{self.product_id:04x}")
            try:
                if dev.is_kernel_driver_active(0):  # usblp holds the printer otherwise
                    dev.detach_kernel_driver(0)
            except NotImplementedError:  # backends without kernel drivers
                pass
            dev.set_configuration()
            intf = dev.get_active_configuration()[(0, 0)]
            direction = usb.util.endpoint_direction
            self._out = usb.util.find_descriptor(
                intf, custom_match=lambda e: direction(e.bEndpointAddress) == usb.util.ENDPOINT_OUT)
            self._in = usb.util.find_descriptor(
                intf, custom_match=lambda e: direction(e.bEndpointAddress) == usb.util.ENDPOINT_IN)
            self._dev = dev
        except PrinterIOError:
            raise
        except Exception as e:  # usb.core.USBError, NoBackendError, permission errors
            raise PrinterIOError(f"cannot open {self.name}: {e}") from None

    def _send(self, chunk: bytes) -> None:
        import usb.core

        try:
            # A bulk transfer returns once the printer took it: its count is what it took.
            taken = self._out.write(chunk, timeout=int(self.io_timeout_s * 1000))
        except usb.core.USBTimeoutError:
            raise PrinterTimeout(f"{self.name}: write took more than {self.io_timeout_s:g} s") from None
        except usb.core.USBError as e:
            raise PrinterIOError(f"{self.name}: write failed: {e}") from None
        if taken != len(chunk):
            raise PrinterIOError(f"{self.name}: the printer took {taken} of {len(chunk)} bytes")

    def _query(self, request: bytes, timeout_s: float) -> bytes:
        import usb.core

        if self._in is None:
            return b""  # a printer without a bulk-in endpoint cannot answer
        try:
            self._out.write(request, timeout=int(self.io_timeout_s * 1000))
            return bytes(self._in.read(64, timeout=max(1, int(timeout_s * 1000))))[:1]
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as e:
            raise PrinterIOError(f"{self.name}: status read failed: {e}") from None

    def _close(self) -> None:
        dev, self._dev = self._dev, None
        if dev is not None:
            import usb.util

            usb.util.dispose_resources(dev)


class FileConnection(Connection):
    """Each job's raw bytes in a file of its own, written atomically: the embedded default."""

    name = "file"
    _counter = itertools.count(1)

    def __init__(self, spool_dir: Path, now: Callable[[], datetime] = datetime.now):
        self.spool_dir = spool_dir
        self.name = f"file {spool_dir}"
        self._now = now
        self.last_path: Path | None = None

    def read_status(self, timeout_s: float) -> PrinterStatus:
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            log.warning("printer spool %s cannot be created: %s", self.spool_dir, e)
            return PrinterStatus.OFFLINE
        return PrinterStatus.READY if os.access(self.spool_dir, os.W_OK) else PrinterStatus.OFFLINE

    def write(self, data: bytes, kind: str, deadline: float, clock: Callable[[], float] = time.monotonic) -> Path:
        prefix = {"procedure": "receipt", "help_ticket": "ticket"}.get(kind, kind)
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".job-", dir=self.spool_dir)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                while True:
                    target = self.spool_dir / f"{prefix}-{stamp}-{next(self._counter)}.bin"
                    if not target.exists():
                        break
                os.replace(tmp, target)
                self.last_path = target
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            raise PrinterIOError(f"cannot write to spool {self.spool_dir}: {e.strerror or e}") from None
        self._prune()
        return target

    def _prune(self) -> None:
        try:
            spooled = sorted(self.spool_dir.glob("*.bin"), key=_spool_order)
            for old in spooled[:-SPOOL_KEEP_FILES]:
                old.unlink(missing_ok=True)
        except OSError as e:  # a full spool is untidy, not a failed print
            log.warning("printer spool %s could not be pruned: %s", self.spool_dir, e.strerror or e)


def _spool_order(path: Path) -> tuple[int, int]:
    """Oldest first: by time written, then by the job counter ending the name (same second)."""
    tail = path.stem.rsplit("-", 1)[-1]
    return path.stat().st_mtime_ns, int(tail) if tail.isdigit() else 0


class DummyConnection(Connection):
    """Keeps the last jobs' bytes in memory (development and the app's tests).

    Only the last few: a demo kiosk left on "dummy" must not hoard every visitor's receipt.
    """

    name = "dummy"
    keep_jobs = 10

    def __init__(self, status: PrinterStatus = PrinterStatus.READY):
        self.status = status
        self.jobs: list[bytes] = []

    def read_status(self, timeout_s: float) -> PrinterStatus:
        return self.status

    def write(self, data: bytes, kind: str, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.jobs.append(data)
        del self.jobs[:-self.keep_jobs]


def make_connection(cfg) -> Connection:
    """The connection the config names; cheap, no I/O (it opens on first use)."""
    p = cfg.printer
    if p.connection == "file":
        return FileConnection(cfg.data_path(p.spool_dir))
    if p.connection == "dummy":
        return DummyConnection()
    if p.connection == "serial":
        return SerialConnection(p.serial_device, p.serial_baudrate, p.io_timeout_s)
    if p.connection == "network":
        return NetworkConnection(p.network_host, p.network_port, p.io_timeout_s)
    if p.connection == "usb":
        return UsbConnection(p.usb_vendor_id, p.usb_product_id, p.io_timeout_s)
    raise ValueError(f"no connection for [printer] connection = {p.connection!r}")
