"""Calling a conseiller: a call that always reaches a person, or says it could not yet.

What a call is lives in kiosk.helpcall.model; the ways it goes out in
kiosk.helpcall.channels. This module owns the calls while they live.

Threads: request(), cancel() and acknowledge() only change memory and wake the workers,
so the UI thread never waits. One worker per channel hands each due call to a sending
thread of its own (up to the channel's parallel_sends), and each attempt has a total
deadline: a slow webhook never delays the lamp, and a server holding one call never
delays the next. A keeper thread writes the outbox, removes finished calls, switches the
lamp and expires old calls. Listeners and the button handler run on those threads.

Outbox and restarts: before a send, the channel is written to disk as "sending"; after
it, as "done". When the kiosk starts again (after a crash, or a restart), the calls it
finds there belong to a visitor whose screen was reset with the restart: nobody here can
see or cancel them. They are ended at once (CANCELLED), and the chat is told, as for a
cancelled call, when it got the call or may have (caught "sending"), so that no conseiller
walks to a kiosk where nobody waits. Nothing is sent again and no ticket is printed.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from kiosk.config import Config
from kiosk.helpcall.channels import Channel, ChannelError, channels_for
from kiosk.helpcall.model import CallContext, CallStatus, HelpCall
from kiosk.helpcall.outbox import Outbox

if TYPE_CHECKING:
    from kiosk.helpcall.ack import AckServer

log = logging.getLogger(__name__)

MAX_NUMBER = 999          # queue numbers go 1..999, then 1 again; they restart each day
KEEPER_TICK_S = 1.0       # how often expiry is checked when nothing else happens


class HelpCallService:
    def __init__(self, cfg: Config, print_ticket: Callable[[int], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, http_post: Callable | None = None,
                 *, wall_clock: Callable[[], float] = time.time,
                 device_factory: Callable[..., object] | None = None):
        self.cfg = cfg
        self.settings = cfg.helpcall
        self._clock = clock
        self._wall = wall_clock
        self._outbox = Outbox(cfg.data_path(self.settings.outbox_dir))
        self._lock = threading.Condition()
        self._calls: dict[str, HelpCall] = {}
        self._dirty: set[str] = set()         # calls to write (or remove) by the keeper
        self._number_day, self._number_last = "", 0
        self._number_dirty = False
        self._listeners: list[Callable[[HelpCall], None]] = []
        self._button_handler: Callable[[], None] | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._senders: set[threading.Thread] = set()    # one per attempt in flight
        self._started = False
        self._ack_server: AckServer | None = None

        self.device = None
        if self.settings.lamp_device:
            if device_factory is None:
                from hardware.serial_device import SerialCallDevice
                device_factory = SerialCallDevice
            self.device = device_factory(self.settings.lamp_device, self.settings.lamp_baudrate,
                                         on_button=self._button_pressed, lamp_wanted=self._lamp_wanted,
                                         on_connect=self._device_back)
        channels = channels_for(cfg, print_ticket, http_post=http_post, ack_url=self.ack_url, device=self.device)
        self.channels: dict[str, Channel] = {channel.name: channel for channel in channels}
        self._in_flight = {name: 0 for name in self.channels}

    # ----- for the app --------------------------------------------------------------
    def channels_configured(self) -> bool:
        """True when some channel tells a conseiller; if not, the visitor is sent to the desk."""
        return any(ch.reaches_person for ch in self.channels.values())

    def add_listener(self, fn: Callable[[HelpCall], None]) -> None:
        self._listeners.append(fn)

    def set_button_handler(self, fn: Callable[[], None]) -> None:
        self._button_handler = fn

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._threads.append(threading.Thread(target=self._keeper, name="helpcall-keeper", daemon=True))
        for name in self.channels:
            self._threads.append(threading.Thread(target=self._channel_worker, args=(name,),
                                                  name=f"helpcall-{name}", daemon=True))
        # The day's last number is one tiny file, read here so that no number is given
        # twice; the calls themselves are reloaded on the keeper thread.
        self._load_number()
        self._loaded = threading.Event()
        for thread in self._threads:
            thread.start()
        if self.device is not None:
            self.device.start()
        if self.settings.ack_port:
            self._start_ack_server()

    def _start_ack_server(self) -> None:
        # Here, not at the top: its asyncio costs ~18 ms, and most kiosks set no ack_port.
        from kiosk.helpcall.ack import AckServer

        host = self.settings.ack_bind or urlsplit(self.settings.ack_base_url).hostname or "127.0.0.1"
        try:
            self._ack_server = AckServer(self, self.settings.ack_port, host)
            self._ack_server.start()
        except OSError as e:
            log.error("acknowledgment server cannot listen on %s port %d (%s); links will not work",
                      host, self.settings.ack_port, type(e).__name__)
            self._ack_server = None

    def request(self, context: CallContext) -> HelpCall:
        """Queue a call and return at once; never raises on I/O."""
        with self._lock:
            call = HelpCall.new(self._next_number(), context, list(self.channels), self._clock(), self._wall())
            self._calls[call.id] = call
            self._dirty.add(call.id)
            self._lock.notify_all()
            snapshot = call.copy()
        log.info("help call %d requested: procedure=%s step=%s channels=%s", call.number, context.procedure_id or "-",
                 context.step_id or "-", ",".join(self.channels) or "none (ask at the desk)")
        self._notify(snapshot)
        return snapshot

    def cancel(self, call_id: str) -> None:
        self._finish(call_id, CallStatus.CANCELLED)

    def acknowledge(self, call_id: str) -> bool:
        return self._finish(call_id, CallStatus.ACKNOWLEDGED)

    def waiting(self) -> list[HelpCall]:
        with self._lock:
            return [c.copy() for c in sorted(self._calls.values(), key=lambda c: c.created_mono) if c.active]

    def get(self, call_id: str) -> HelpCall | None:
        with self._lock:
            call = self._calls.get(call_id)
            return call.copy() if call else None

    def wake(self) -> None:
        """Re-check retry times now (tests move their clock, then wake the workers)."""
        with self._lock:
            self._lock.notify_all()

    def ack_url(self, call: HelpCall) -> str:
        base = self.settings.ack_base_url.rstrip("/")
        return f"{base}/ack/{call.id}" if self.settings.ack_port and base else ""

    def dry_run(self) -> list[tuple[str, str, str]]:
        """One line per channel for `kiosk doctor`: no message sent, no file written."""
        if not self.channels:
            return []
        results = []
        for name, channel in self.channels.items():
            try:
                level, message = channel.check()
            except Exception as e:
                level, message = "FAIL", f"check failed ({type(e).__name__})"
            results.append((name, level, message))
        if self.settings.ack_port and not self.settings.ack_base_url:
            results.append(("ack link", "WARN", "[helpcall] ack_port is set but ack_base_url is empty: "
                                                "chat messages carry no « J'arrive » link"))
        stored = self._outbox.read_only_count()
        if stored:
            results.append(("outbox", "WARN", f"{stored} call(s) in {self._outbox.folder} not finished; "
                                              "they are sent again when the kiosk runs"))
        return results

    def close(self) -> None:
        self._stop.set()
        self.wake()
        if self._ack_server is not None:
            self._ack_server.close()
        with self._lock:
            senders = list(self._senders)
        for thread in self._threads + senders:
            thread.join(timeout=self.settings.webhook_timeout_s + 5)
        self._threads.clear()
        if self.device is not None:
            self.device.close()
        self._flush()  # what the keeper had not written yet

    # ----- state changes -----------------------------------------------------------------
    def _next_number(self) -> int:
        day = datetime.fromtimestamp(self._wall()).date().isoformat()
        if day != self._number_day:
            self._number_day, self._number_last = day, 0
        self._number_last = self._number_last % MAX_NUMBER + 1
        self._number_dirty = True
        return self._number_last

    def _finish(self, call_id: str, status: CallStatus) -> bool:
        with self._lock:
            call = self._calls.get(call_id)
            if call is None or not call.active:
                return False
            call.status = status
            call.channels_pending.clear()
            self._dirty.add(call.id)
            self._lock.notify_all()
            snapshot = call.copy()
        log.info("help call %d %s", call.number, status.value)
        self._notify(snapshot)
        self._send_notice(snapshot)
        return True

    def _send_notice(self, call: HelpCall, restarted: bool = False) -> None:
        """One try, not kept in the outbox: the notice only saves a conseiller a walk.
        restarted: a call of the previous run, which may have reached the chat while "sending"."""
        channel = self.channels.get("webhook")
        announced = "webhook" in call.channels_done or (restarted and "webhook" in call.channels_sending)
        if channel is None or not announced or self._stop.is_set():
            return

        def send():
            try:
                channel.send_notice(call, restarted=restarted)
            except ChannelError as e:
                log.warning("help call %d: end notice not delivered: %s", call.number, e)
        threading.Thread(target=send, name="helpcall-notice", daemon=True).start()

    def _notify(self, call: HelpCall) -> None:
        for fn in list(self._listeners):
            try:
                fn(call)
            except Exception:
                log.exception("help call listener failed")

    def _button_pressed(self) -> None:
        handler = self._button_handler
        if handler is None:
            log.warning("call button pressed but no handler is set")
            return
        handler()

    def _device_back(self) -> None:
        """The lamp is plugged back: retry its calls now, not at the end of their backoff."""
        with self._lock:
            for call in self._calls.values():
                call.next_try.pop("lamp", None)
            self._lock.notify_all()

    def _lamp_wanted(self) -> bool:
        with self._lock:
            return any(c.active for c in self._calls.values())

    def _backoff_s(self, attempts: int) -> float:
        s = self.settings
        return min(s.retry_max_s, s.retry_min_s * 2 ** max(0, attempts - 1))

    # ----- channel workers ---------------------------------------------------------------
    def _due(self, name: str) -> tuple[HelpCall | None, float]:
        """The oldest call due on this channel, or how long to wait. Holds the lock."""
        now = self._clock()
        wait = KEEPER_TICK_S
        for call in sorted(self._calls.values(), key=lambda c: c.created_mono):
            if not call.active or name not in call.channels_pending or name in call.channels_sending:
                continue
            due_at = call.next_try.get(name, 0.0)
            if due_at <= now:
                return call, 0.0
            wait = min(wait, due_at - now)
        return None, wait

    def _channel_worker(self, name: str) -> None:
        """Hands each due call to its own sending thread, up to the channel's parallel_sends:
        a call held by a slow server until its deadline delays no other call."""
        channel = self.channels[name]
        self._loaded.wait()
        while not self._stop.is_set():
            with self._lock:
                busy = self._in_flight[name] >= channel.parallel_sends
                call, wait = (None, KEEPER_TICK_S) if busy else self._due(name)
                if call is None:
                    self._lock.wait(max(wait, 0.01))
                    continue
                call.channels_sending.append(name)
                self._in_flight[name] += 1
                sender = threading.Thread(target=self._attempt, args=(name, call), name=f"helpcall-{name}-send",
                                          daemon=True)
                self._senders.add(sender)
            sender.start()

    def _attempt(self, name: str, call: HelpCall) -> None:
        try:
            self._save(call)  # "sending" is on disk before the message leaves
            try:
                self.channels[name].send(call.copy())
                error = ""
            except ChannelError as e:
                error = str(e)
            except Exception as e:  # a bug in a channel must not kill its worker
                log.exception("help call channel %s crashed", name)
                error = f"channel error ({type(e).__name__})"
            self._record_attempt(name, call, error)
        finally:
            with self._lock:
                self._in_flight[name] -= 1
                self._senders.discard(threading.current_thread())
                self._lock.notify_all()

    def _record_attempt(self, name: str, call: HelpCall, error: str) -> None:
        changed = None
        with self._lock:
            call.channels_sending.remove(name)
            if error:
                attempts = call.attempts.get(name, 0) + 1
                call.attempts[name] = attempts
                call.last_error[name] = error
                call.next_try[name] = self._clock() + self._backoff_s(attempts)
                delay_s = call.next_try[name] - self._clock()
            else:
                if name in call.channels_pending:
                    call.channels_pending.remove(name)
                call.channels_done.append(name)
                call.last_error.pop(name, None)
                if self.channels[name].reaches_person and call.status is CallStatus.WAITING:
                    call.status = CallStatus.DELIVERED
                    changed = call.copy()
            self._dirty.add(call.id)
            self._lock.notify_all()
        if error:
            log.warning("help call %d not delivered by %s: %s; next try in %.0f s", call.number, name, error, delay_s)
        else:
            log.info("help call %d delivered by %s", call.number, name)
        if changed is not None:
            self._notify(changed)

    # ----- keeper: disk, lamp, expiry ----------------------------------------------------
    def _keeper(self) -> None:
        try:
            self._reload()
        except Exception:
            log.exception("help call outbox could not be read; starting empty")
        finally:
            self._loaded.set()
        while not self._stop.is_set():
            self._expire()
            if not self._flush():
                self._stop.wait(KEEPER_TICK_S)  # the disk refused: try again later, do not spin
            if self.device is not None and self.device.connected and self.device.lamp_sent is not None \
                    and self.device.lamp_sent != self._lamp_wanted():
                # Compared with what was last written, not last seen here: a call lit by
                # the lamp channel and ended before this loop came round still turns it off.
                self.device.refresh_lamp()
            with self._lock:
                if not self._dirty and not self._number_dirty and not self._stop.is_set():
                    self._lock.wait(KEEPER_TICK_S)

    def _load_number(self) -> None:
        try:
            number = self._outbox.load_number()
        except OSError as e:
            log.error("help call numbers cannot be read (%s); they start again at 1", type(e).__name__)
            return
        with self._lock:
            today = datetime.fromtimestamp(self._wall()).date().isoformat()
            if number["day"] == today and self._number_day in ("", today):
                # Calls made before start() already took numbers: go on from the higher.
                self._number_day = today
                self._number_last = max(self._number_last, number["last"])

    def _reload(self) -> None:
        """End the calls the previous run left (see the module doc), and tell the chat."""
        ended = []
        with self._lock:
            for record in self._outbox.load_all():
                try:
                    call = HelpCall.from_record(record)
                except (KeyError, TypeError, ValueError):
                    log.error("outbox record %s is not a call; ignored", str(record.get("id"))[:32])
                    continue
                if call.id in self._calls:
                    continue  # made by this run, before start()
                if call.active:
                    call.status = CallStatus.CANCELLED
                    ended.append(call.copy())  # before the lists are cleared: who may know of it
                call.channels_pending.clear()
                call.channels_sending = []
                self._calls[call.id] = call
                self._dirty.add(call.id)  # the keeper removes its file
        for call in ended:
            log.info("help call %d of the previous run ended: the restart reset its visitor's screen", call.number)
            self._send_notice(call, restarted=True)

    def _expire(self) -> None:
        now = self._clock()
        expired = []
        with self._lock:
            for call in self._calls.values():
                if call.active and now - call.created_mono >= self.settings.expire_s:
                    call.status = CallStatus.EXPIRED
                    call.channels_pending.clear()
                    self._dirty.add(call.id)
                    expired.append(call.copy())
        for call in expired:
            log.info("help call %d expired: nobody answered", call.number)
            self._notify(call)
            self._send_notice(call)

    def _flush(self) -> bool:
        """Write or remove what changed; False when the disk refused."""
        with self._lock:
            ids, self._dirty = self._dirty, set()
            number = (self._number_day, self._number_last) if self._number_dirty else None
            self._number_dirty = False
        try:
            if number is not None:
                self._outbox.save_number(*number)
            for call_id in ids:
                with self._lock:
                    call = self._calls.get(call_id)
                    finished = call is not None and not call.active and not call.channels_sending
                    if finished:
                        del self._calls[call_id]
                if call is None:
                    continue
                if finished:
                    self._outbox.remove(call_id)
                else:
                    self._save(call, raise_errors=True)
        except OSError as e:
            # The disk is full or read-only: the calls still go out from memory.
            log.error("help call outbox cannot be written (%s); calls are kept in memory only", type(e).__name__)
            with self._lock:
                self._dirty |= {i for i in ids if i in self._calls}
                self._number_dirty = self._number_dirty or number is not None
            return False
        return True

    def _save(self, call: HelpCall, raise_errors: bool = False) -> None:
        def snapshot() -> dict:
            with self._lock:
                return call.to_record()
        try:
            self._outbox.save(snapshot)
        except OSError as e:
            if raise_errors:
                raise
            log.error("help call %d cannot be written to the outbox (%s)", call.number, type(e).__name__)
