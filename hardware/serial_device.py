"""A call lamp (or buzzer) with a call button, on a serial line (pyserial).

Line protocol (ASCII, one command per line, "\\n" ends a line, "\\r" and case ignored):

    kiosk -> device   LAMP ON      light the lamp: at least one call is waiting
                      LAMP OFF     no call is waiting
    device -> kiosk   BUTTON       the visitor pressed the call button
                      READY        the device has (re)started; the kiosk answers with
                                   the current LAMP state
                      anything else is ignored (logged at debug level, cut short)

The kiosk sends the lamp state again each time it (re)opens the port, so a device that
was unplugged, or that reset when the port opened (DTR), always shows the right state.
A microcontroller sketch needs a dozen lines: read lines, switch a pin, print BUTTON on
a debounced press.

One reader thread opens the port, reads lines and, when the device vanishes
(SerialException/OSError), closes it and tries again every `reconnect_s` until it is
back. Writes come from any thread with a write timeout, so a stuck device never blocks
the caller for long. The button callback runs on the reader thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

import serial

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 64  # longer input is noise, not a command
IO_TIMEOUT_S = 0.2   # read timeout: how fast the reader notices close()
WRITE_TIMEOUT_S = 1.0


def open_serial(device: str, baudrate: int) -> serial.SerialBase:
    # exclusive: a second kiosk process (or `kiosk call-test` while the kiosk runs) must
    # fail plainly instead of stealing half of the button presses.
    return serial.serial_for_url(device, baudrate=baudrate, timeout=IO_TIMEOUT_S,
                                 write_timeout=WRITE_TIMEOUT_S, exclusive=True)


class SerialCallDevice:
    def __init__(self, device: str, baudrate: int = 9600,
                 on_button: Callable[[], None] | None = None,
                 lamp_wanted: Callable[[], bool] = lambda: False,
                 on_connect: Callable[[], None] | None = None,
                 reconnect_s: float = 1.0,
                 opener: Callable[[str, int], serial.SerialBase] = open_serial):
        self.device = device
        self.baudrate = baudrate
        self.reconnect_s = reconnect_s
        self._on_button = on_button
        self._opener = opener
        self._port: serial.SerialBase | None = None
        self._lamp_wanted = lamp_wanted
        self._on_connect = on_connect
        self.lamp_sent: bool | None = None   # the last state written, None when unknown
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error = ""

    # ----- life cycle ----------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="call-device", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._drop_port()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    def set_button_handler(self, fn: Callable[[], None] | None) -> None:
        self._on_button = fn

    # ----- lamp ----------------------------------------------------------------------
    def refresh_lamp(self) -> bool:
        """Send the lamp state lamp_wanted() gives now; False if the device is not there
        (the state is sent again as soon as it comes back).

        The wanted state is read under the write lock, so of two threads refreshing at
        once, the last line written always matches the latest state."""
        with self._write_lock:
            port = self._port
            if port is None:
                return False
            on = self._lamp_wanted()
            line = b"LAMP ON\n" if on else b"LAMP OFF\n"
            try:
                port.write(line)
                port.flush()
                self.lamp_sent = on
                return True
            except (serial.SerialException, OSError) as e:
                # The reader thread sees the same fault and reconnects.
                self.last_error = f"write failed: {type(e).__name__}"
                log.warning("call device %s: %s", self.device, self.last_error)
                return False

    # ----- reader thread -------------------------------------------------------------
    def _drop_port(self) -> None:
        self._connected.clear()
        self.lamp_sent = None  # a device plugged back may show anything until told
        with self._write_lock:
            port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass

    def _run(self) -> None:
        was_missing = False
        while not self._stop.is_set():
            try:
                port = self._opener(self.device, self.baudrate)
            except (serial.SerialException, OSError, ValueError) as e:
                self.last_error = f"cannot open: {type(e).__name__}"
                if not was_missing:  # say it once, not every second
                    log.warning("call device %s: %s; trying again every %.0f s", self.device,
                                self.last_error, self.reconnect_s)
                    was_missing = True
                self._stop.wait(self.reconnect_s)
                continue
            was_missing = False
            with self._write_lock:
                self._port = port
            self.last_error = ""
            log.info("call device %s connected", self.device)
            self.refresh_lamp()
            self._connected.set()
            if self._on_connect is not None:
                try:
                    self._on_connect()
                except Exception:
                    log.exception("call device connect handler failed")
            try:
                self._read_lines(port)
            except (serial.SerialException, OSError) as e:
                self.last_error = f"lost: {type(e).__name__}"
                log.warning("call device %s %s; trying to reconnect", self.device, self.last_error)
            self._drop_port()
            self._stop.wait(self.reconnect_s)

    def _read_lines(self, port: serial.SerialBase) -> None:
        buffer = b""
        while not self._stop.is_set():
            chunk = port.read(port.in_waiting or 1)
            if not chunk:
                continue
            buffer += chunk
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                self._handle(raw)
            if len(buffer) > MAX_LINE_BYTES:
                buffer = b""

    def _handle(self, raw: bytes) -> None:
        command = raw.strip().decode("ascii", "replace").upper()
        if command == "BUTTON":
            log.info("call device %s: button pressed", self.device)
            handler = self._on_button
            if handler is not None:
                try:
                    handler()
                except Exception:  # a broken handler must not kill the reader
                    log.exception("call button handler failed")
        elif command == "READY":
            self.refresh_lamp()
        elif command:
            log.debug("call device %s: ignored %r", self.device, command[:MAX_LINE_BYTES])

