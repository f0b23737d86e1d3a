"""Show the on-screen keyboard when a text field on the site takes focus, hide it after.

wvkbd 0.12 (Debian 12) cannot tell when a field has focus: it is shown by SIGUSR2 and
hidden by SIGUSR1, nothing else. The compositor knows. Chromium started with
--enable-wayland-ime --wayland-text-input-version=3 tells sway through text-input-v3 when
a field takes or loses focus, and sway passes it on to the seat's input method
(input-method-unstable-v2): « activate » / « deactivate », applied at « done ». This
program is that input method, and only listens: it never commits text nor grabs the
keyboard (wvkbd types through the virtual-keyboard protocol, as before). On each change it
signals the wvkbd it started.

It speaks the Wayland wire protocol over the compositor's socket itself (a few messages of
four interfaces; libwayland bindings are not packaged for our Python), and uses nothing but
the standard library, so sway can start it with the system's python3:

    python3 osk_follow.py -- wvkbd-mobintl -L 280

If the compositor has no input method protocol, or another input method holds the seat,
it says so in one line and keeps the keyboard shown (the old behaviour) instead of leaving
a visitor with no keyboard at all. The field's text is never read: surrounding_text events
are dropped unread.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import time

log = logging.getLogger("pas-a-pas.osk")

DISPLAY_ID = 1
# Opcodes, from wayland.xml and wlroots' protocol/input-method-unstable-v2.xml.
DISPLAY_GET_REGISTRY = 1
DISPLAY_ERROR = 0
REGISTRY_BIND = 0
REGISTRY_GLOBAL = 0
IM_MANAGER_GET_INPUT_METHOD = 0
IM_ACTIVATE, IM_DEACTIVATE, IM_DONE, IM_UNAVAILABLE = 0, 1, 5, 6
SEAT = "wl_seat"
IM_MANAGER = "zwp_input_method_manager_v2"
RESTART_PAUSE_S = 1.0  # between two starts of a keyboard that ended
HANDLERS_WAIT_S = 5.0  # a keyboard starting under load on 2 cores
FALLBACK_CHECK_S = 2.0  # how often a follower that cannot follow looks for its compositor


class WaylandError(Exception):
    """The compositor is not there, or said no: the message says which."""


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("<I", len(data)) + data + b"\0" * (-len(data) % 4)


def _read_string(payload: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<I", payload, offset)
    start = offset + 4
    text = payload[start:start + length - 1].decode(errors="replace")
    return text, start + length + (-length % 4)


class Wire:
    """One client connection: requests out, events in (objects are numbers)."""

    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError as exc:
            self.sock.close()
            raise WaylandError(f"cannot reach the compositor at {path}: {exc.strerror or exc}") from None
        self.next_id = 2  # 1 is wl_display
        self.buffer = b""

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def send(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        self.sock.sendall(struct.pack("<II", obj, (8 + len(payload)) << 16 | opcode) + payload)

    def events(self):
        """(object, opcode, payload) as they come; ends when the compositor goes."""
        while True:
            while len(self.buffer) >= 8:
                obj, word = struct.unpack_from("<II", self.buffer)
                size = word >> 16
                if size < 8:
                    raise WaylandError(f"the compositor sent a message of {size} bytes")
                if len(self.buffer) < size:
                    break
                payload, self.buffer = self.buffer[8:size], self.buffer[size:]
                yield obj, word & 0xFFFF, payload
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                raise WaylandError("the compositor did not answer in time") from None
            except OSError as exc:
                raise WaylandError(f"the connection to the compositor failed: {exc.strerror or exc}") from None
            if not data:
                return
            self.buffer += data

    def close(self) -> None:
        self.sock.close()


def socket_path(environ=os.environ) -> str:
    display = environ.get("WAYLAND_DISPLAY", "wayland-0")
    if display.startswith("/"):
        return display
    runtime = environ.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise WaylandError("XDG_RUNTIME_DIR is not set: no Wayland compositor to ask")
    return os.path.join(runtime, display)


class FieldFocus:
    """The seat's input method: calls on_change(True) when a text field takes focus,
    on_change(False) when none has it, once per change."""

    def __init__(self, wire: Wire, on_change):
        self.wire, self.on_change = wire, on_change
        self.registry = wire.new_id()
        self.input_method = 0
        self.pending = self.active = False

    def run(self, globals_wait_s: float = 5.0) -> None:
        """Until the compositor goes; raises WaylandError if it cannot be the input method."""
        wire = self.wire
        wire.send(DISPLAY_ID, DISPLAY_GET_REGISTRY, struct.pack("<I", self.registry))
        found: dict[str, tuple[int, int]] = {}
        deadline = time.monotonic() + globals_wait_s
        wire.sock.settimeout(globals_wait_s)
        for obj, opcode, payload in wire.events():
            if obj == DISPLAY_ID and opcode == DISPLAY_ERROR:
                raise WaylandError(f"the compositor refused: {_read_string(payload, 8)[0]}")
            if obj == self.registry and opcode == REGISTRY_GLOBAL:
                name = struct.unpack_from("<I", payload)[0]
                interface, offset = _read_string(payload, 4)
                found.setdefault(interface, (name, struct.unpack_from("<I", payload, offset)[0]))
                if SEAT in found and IM_MANAGER in found:
                    break
            if time.monotonic() > deadline:
                break
        else:
            raise WaylandError("the compositor closed the connection")
        if IM_MANAGER not in found or SEAT not in found:
            raise WaylandError(f"the compositor has no {IM_MANAGER} (text fields cannot be followed)")
        wire.sock.settimeout(None)
        seat = self._bind(found, SEAT, 1)
        manager = self._bind(found, IM_MANAGER, 1)
        self.input_method = wire.new_id()
        wire.send(manager, IM_MANAGER_GET_INPUT_METHOD, struct.pack("<II", seat, self.input_method))
        self._listen()

    def _bind(self, found: dict, interface: str, version: int) -> int:
        name, _ = found[interface]
        obj = self.wire.new_id()
        self.wire.send(self.registry, REGISTRY_BIND,
                       struct.pack("<I", name) + _string(interface) + struct.pack("<II", version, obj))
        return obj

    def _listen(self) -> None:
        for obj, opcode, payload in self.wire.events():
            if obj == DISPLAY_ID and opcode == DISPLAY_ERROR:
                raise WaylandError(f"the compositor refused: {_read_string(payload, 8)[0]}")
            if obj != self.input_method:
                continue  # the seat's name and capabilities, the registry's later globals
            if opcode == IM_UNAVAILABLE:
                raise WaylandError("another input method already holds the seat")
            if opcode == IM_ACTIVATE:
                self.pending = True
            elif opcode == IM_DEACTIVATE:
                self.pending = False
            elif opcode == IM_DONE and self.pending != self.active:
                self.active = self.pending
                self.on_change(self.active)
            # surrounding_text, text_change_cause, content_type: dropped unread (the
            # field's text is the visitor's).


class Keyboard:
    """The wvkbd this program started: shown and hidden by signal, started again if it ends."""

    def __init__(self, argv: list[str]):
        # Always started hidden; a restart then shows it again if it was shown.
        self.argv = [*argv, "--hidden"]
        self.shown = False
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    def ensure_running(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        if self.proc is not None:
            log.warning("on-screen keyboard ended (status %s): started again", self.proc.returncode)
            time.sleep(max(0.0, self.started_at + RESTART_PAUSE_S - time.monotonic()))
        self.started_at = time.monotonic()
        # A follower that is killed takes its keyboard with it: wvkbd 0.12 left without a
        # compositor spins at 40 % of a core (seen in tests), so it must not outlive us.
        self.proc = subprocess.Popen(self.argv, preexec_fn=_end_with_parent)
        # SIGUSR1/2 end a process that has no handler for them yet: wait for wvkbd's.
        if not catches(self.proc.pid, (signal.SIGUSR1, signal.SIGUSR2), HANDLERS_WAIT_S):
            log.warning("on-screen keyboard does not answer signals after %.0f s", HANDLERS_WAIT_S)
        if self.shown:
            self._signal(True)

    def show(self, shown: bool) -> None:
        self.shown = shown
        self.ensure_running()
        self._signal(shown)
        log.info("on-screen keyboard %s", "shown" if shown else "hidden")

    def _signal(self, shown: bool) -> None:
        # wvkbd: SIGUSR2 shows, SIGUSR1 hides (wvkbd-mobintl --help, 0.12).
        self.proc.send_signal(signal.SIGUSR2 if shown else signal.SIGUSR1)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _end_with_parent() -> None:
    """In the keyboard's process, before exec: SIGTERM when this program ends (prctl
    PR_SET_PDEATHSIG), however it ends."""
    import ctypes
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)


def catches(pid: int, signals, timeout_s: float) -> bool:
    """Whether these signals no longer end the process: caught by a handler, or blocked to be
    read from a signalfd as wvkbd does (/proc/PID/status SigCgt, SigBlk); waits up to
    timeout_s for it to get there."""
    wanted = sum(1 << (int(s) - 1) for s in signals)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with open(f"/proc/{pid}/status") as status:
                masks = [int(line.split()[1], 16) for line in status if line.startswith(("SigCgt:", "SigBlk:"))]
            caught = masks[0] | masks[1] if len(masks) == 2 else 0
            if caught & wanted == wanted:
                return True
        except OSError:
            return False  # it ended
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def _reachable(path: str) -> bool:
    """Whether the compositor still takes connections at path."""
    try:
        Wire(path).close()
        return True
    except WaylandError:
        return False


def follow(keyboard_argv: list[str], environ=os.environ) -> int:
    """Runs until the compositor ends; 0 then. The keyboard stays shown (as before this
    program) when fields cannot be followed."""
    try:
        wire = Wire(socket_path(environ))
    except WaylandError as exc:
        log.error("%s", exc)
        return 1
    keyboard = Keyboard(keyboard_argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        try:
            keyboard.ensure_running()
        except OSError as exc:
            log.error("cannot start the on-screen keyboard %s: %s", keyboard_argv[0], exc.strerror or exc)
            return 1
        FieldFocus(wire, keyboard.show).run()
        return 0
    except WaylandError as exc:
        log.error("on-screen keyboard always shown: %s", exc)
        keyboard.show(True)
        # Kept running (a keyboard no one restarts would be lost) while the compositor is
        # there; once it is gone, a wvkbd started again would only fail, once a second.
        path = socket_path(environ)
        while _reachable(path):
            try:
                keyboard.proc.wait(FALLBACK_CHECK_S)
            except subprocess.TimeoutExpired:
                continue
            keyboard.ensure_running()
            keyboard.show(True)
        return 0
    finally:
        keyboard.close()
        wire.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("keyboard", nargs="+", help="the keyboard's command line, after --")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    return follow(args.keyboard)


if __name__ == "__main__":
    raise SystemExit(main())
