"""The ways a help call reaches someone: a chat webhook, a serial lamp, a printed ticket.

Each channel sends one call and raises ChannelError with a short reason when it could
not; the service (kiosk.helpcall.service) decides when to try again. channels_for() is
the one place that decides which channels a config turns on. Reasons never hold the
webhook URL or its headers: chat webhooks often carry their secret in the URL.

Why no Apprise: it would bring a hundred services we do not need and hides the HTTP
status and the timeout behind a True/False; the outbox needs to know what failed, and
Mattermost, Rocket.Chat and other Slack-compatible tools all accept one JSON POST
(kiosk.helpcall.http_post: one deadline per attempt, redirects never followed, so the
call and its headers go to the configured host only).
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from kiosk.config import Config
from kiosk.device_check import check_device_file
from kiosk.helpcall.model import CallContext, HelpCall
from kiosk.helpcall.redact import protect
from kiosk.i18n import t

if TYPE_CHECKING:
    from hardware.serial_device import SerialCallDevice

log = logging.getLogger(__name__)

Check = tuple[str, str]  # (OK | WARN | FAIL, message)


class ChannelError(Exception):
    """A call could not be delivered by one channel; the text is safe to log."""


class Channel:
    name = "channel"
    reaches_person = True    # a conseiller learns of the call through it
    parallel_sends = 1       # calls sent at once on this channel (each in its own thread)

    def send(self, call: HelpCall) -> None:
        raise NotImplementedError

    def send_test(self, cfg: Config) -> str:
        """Deliver a test message now (for `kiosk call-test`); returns what was done."""
        raise NotImplementedError

    def check(self) -> Check:
        """A look without side effects (no message sent, no device opened)."""
        raise NotImplementedError

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


# ----- what a conseiller reads ----------------------------------------------------------
def _since(elapsed_s: float) -> str:
    minutes = int(elapsed_s // 60)
    return t("helpcall.since_minutes", minutes=minutes) if minutes >= 1 else t("helpcall.since_under_a_minute")


def message_text(cfg: Config, call: HelpCall, ack_url: str = "") -> str:
    ctx = call.context
    lines = [t("helpcall.message", number=call.number, kiosk=cfg.kiosk.name, place=cfg.kiosk.place)]
    if ctx.procedure_title and ctx.step_title:
        lines.append(t("helpcall.message_where", procedure=ctx.procedure_title, step=ctx.step_title))
    elif ctx.procedure_title:
        lines.append(t("helpcall.message_procedure", procedure=ctx.procedure_title))
    else:
        lines.append(t("helpcall.message_no_procedure"))
    lines.append(t("helpcall.message_since", since=_since(ctx.elapsed_s)))
    if ack_url:
        lines.append(t("helpcall.message_ack", url=ack_url))
    return "\n".join(lines)


def payload(cfg: Config, call: HelpCall, ack_url: str = "", test: bool = False) -> dict:
    """{"text"} is what Mattermost, Rocket.Chat and Slack show; "pas_a_pas" is for tools
    that route calls (n8n, Node-RED, a desk display). Chat tools ignore keys they do not know."""
    ctx = call.context
    text = t("helpcall.test_message", kiosk=cfg.kiosk.name, place=cfg.kiosk.place) if test \
        else message_text(cfg, call, ack_url)
    return {
        "text": text,
        "pas_a_pas": {
            "event": "test" if test else "help_call",
            "call_id": call.id,
            "number": call.number,
            "kiosk": cfg.kiosk.name,
            "place": cfg.kiosk.place,
            "procedure_id": ctx.procedure_id,
            "procedure_title": ctx.procedure_title,
            "step_id": ctx.step_id,
            "step_title": ctx.step_title,
            "elapsed_s": round(ctx.elapsed_s),
            "created_at": datetime.fromtimestamp(call.created_at).astimezone().isoformat(timespec="seconds"),
            "ack_url": ack_url or None,
        },
    }


# ----- webhook --------------------------------------------------------------------------
class WebhookChannel(Channel):
    name = "webhook"
    parallel_sends = 4       # a server holding one call until its deadline delays no other

    def __init__(self, cfg: Config, http_post: Callable | None = None,
                 ack_url: Callable[[HelpCall], str] = lambda call: ""):
        self.cfg = cfg
        self.url = cfg.helpcall.webhook_url
        self.headers = dict(cfg.helpcall.webhook_headers)
        self.timeout_s = cfg.helpcall.webhook_timeout_s
        self._post = http_post  # None: kiosk.helpcall.http_post's, imported on the first send
        self._ack_url = ack_url
        protect(self.url, self.headers)  # from now on no log line holds the URL's path or a header value

    def _deliver(self, body: dict) -> None:
        if self._post is None:
            # Here, on a sending thread: http.client, ssl and email cost the start ~13 ms.
            from kiosk.helpcall.http_post import post_json
            self._post = post_json
        try:
            response = self._post(self.url, json=body, headers=self.headers, timeout=self.timeout_s)
        except Exception as e:  # every failure to send means "not delivered", with its reason
            raise ChannelError(_describe_http_error(e, self.timeout_s)) from None
        status = getattr(response, "status_code", 0)
        if 300 <= status < 400:
            # Not followed: the call and its headers go to the configured host only.
            raise ChannelError(f"the server answered HTTP {status}, a redirect (not followed): "
                               "set [helpcall] webhook_url to the final address")
        if not 200 <= status < 300:
            raise ChannelError(f"the server answered HTTP {status}")

    def send(self, call: HelpCall) -> None:
        self._deliver(payload(self.cfg, call, self._ack_url(call)))

    def send_notice(self, call: HelpCall, restarted: bool = False) -> None:
        """Tell the chat that a call it announced has ended, so nobody walks to an empty kiosk.
        restarted: the kiosk restarted while the call was active, and ended it at start."""
        text = t("helpcall.notice_restarted" if restarted else f"helpcall.notice_{call.status.value}",
                 number=call.number)
        data = {"event": "call_ended", "call_id": call.id, "number": call.number, "status": call.status.value}
        if restarted:
            data["reason"] = "restart"
        self._deliver({"text": text, "pas_a_pas": data})

    def send_test(self, cfg: Config) -> str:
        probe = HelpCall.new(0, CallContext(None, None, None, None, 0.0))
        self._deliver(payload(cfg, probe, test=True))
        return "test message accepted"

    def check(self) -> Check:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "FAIL", "[helpcall] webhook_url is not an http:// or https:// address"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname, port), timeout=self.timeout_s):
                pass
        except OSError as e:
            return "FAIL", f"cannot reach {parts.hostname}:{port} ({type(e).__name__}); check the network"
        return "OK", f"{parts.hostname}:{port} answers (no message sent; `kiosk call-test` sends one)"


def _describe_http_error(error: Exception, timeout_s: float) -> str:
    # Imported by the failed send already (unless a test's fake post failed): nothing to load.
    import http.client
    import ssl

    from kiosk.helpcall.http_post import DeadlinePassed

    if isinstance(error, (DeadlinePassed, TimeoutError)):
        return f"no answer within {timeout_s:g} s"
    if isinstance(error, ssl.SSLError):
        return f"the secure connection failed ({type(error).__name__})"
    if isinstance(error, (ConnectionError, socket.gaierror)):
        return "cannot connect to the server"
    if isinstance(error, http.client.HTTPException):
        return f"the server's answer is not HTTP ({type(error).__name__})"
    return f"request failed ({type(error).__name__})"


# ----- lamp -----------------------------------------------------------------------------
class LampChannel(Channel):
    """Lit while a call waits. "Delivered" means the lamp was switched on for this call."""

    name = "lamp"

    def __init__(self, cfg: Config, device: SerialCallDevice | None):
        self.path = cfg.helpcall.lamp_device
        self.baudrate = cfg.helpcall.lamp_baudrate
        self.device = device

    def send(self, call: HelpCall) -> None:
        if self.device is None or not self.device.refresh_lamp():
            reason = self.device.last_error if self.device is not None else ""
            raise ChannelError(f"lamp device {self.path} is not connected" + (f" ({reason})" if reason else ""))

    def send_test(self, cfg: Config, on_s: float = 2.0) -> str:
        from hardware.serial_device import SerialCallDevice
        lit = threading.Event()
        device = SerialCallDevice(self.path, self.baudrate, lamp_wanted=lit.is_set, reconnect_s=0.5)
        device.start()
        try:
            if not device.wait_connected(3.0):
                raise ChannelError(f"cannot open {self.path} ({device.last_error or 'no answer'}); "
                                   "is the kiosk running and holding it?")
            lit.set()
            if not device.refresh_lamp():
                raise ChannelError(f"cannot write to {self.path} ({device.last_error})")
            threading.Event().wait(on_s)
            lit.clear()
            device.refresh_lamp()
        finally:
            device.close()
        return f"lamp switched on for {on_s:g} s, then off"

    def check(self) -> Check:
        # Not opened: opening toggles DTR (some devices reset) and the kiosk holds it exclusively.
        return check_device_file(self.path, "[helpcall] lamp_device")


# ----- ticket ---------------------------------------------------------------------------
class TicketChannel(Channel):
    """Prints the queue number for the visitor. It tells no conseiller, so it alone never
    makes a call "delivered"."""

    name = "ticket"
    reaches_person = False

    def __init__(self, print_ticket: Callable[[int], None] | None):
        self._print_ticket = print_ticket

    def send(self, call: HelpCall) -> None:
        if self._print_ticket is None:
            raise ChannelError("no printer is wired to print tickets")
        try:
            self._print_ticket(call.number)
        except Exception as e:
            raise ChannelError(f"the ticket could not be printed ({type(e).__name__})") from None

    def send_test(self, cfg: Config) -> str:
        if self._print_ticket is None:
            raise ChannelError("no printer is wired to print tickets")
        try:
            self._print_ticket(0)
        except OSError as e:  # the ticket printer's refusals and failures say why
            raise ChannelError(str(e)) from None
        return "ticket number 0 sent to the printer"

    def check(self) -> Check:
        return "OK", "tickets go to the receipt printer (see the printer check)"


# ----- which channels a config turns on ----------------------------------------------------
def channels_for(cfg: Config, print_ticket: Callable[[int], None] | None, *, http_post: Callable | None = None,
                 ack_url: Callable[[HelpCall], str] = lambda call: "",
                 device: SerialCallDevice | None = None) -> list[Channel]:
    """The channels [helpcall] turns on, in the order they are tried and listed: webhook, lamp, ticket.

    The running kiosk passes its lamp device (held open); `kiosk call-test` passes none,
    and the lamp channel opens the port for its test only."""
    settings = cfg.helpcall
    channels: list[Channel] = []
    if settings.webhook_url:
        channels.append(WebhookChannel(cfg, http_post, ack_url=ack_url))
    if settings.lamp_device:
        channels.append(LampChannel(cfg, device))
    if settings.ticket:
        channels.append(TicketChannel(print_ticket))
    return channels
