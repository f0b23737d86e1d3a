"""Calling a conseiller.

    model     what a call is: CallContext, CallStatus, HelpCall (no typed text, ever)
    service   HelpCallService: owns the calls, one worker per channel, the keeper
    channels  webhook, lamp, ticket, and channels_for(): which ones a config turns on
    http_post one JSON POST with a total deadline, redirects never followed
    redact    no URL path or webhook secret in any log line
    ack       the « J'arrive » link server
    outbox    calls kept on disk until they end
    ticket    the queue-number ticket on the receipt printer

Dependencies go one way: service → channels, ack, outbox → model. Nothing imports service.
"""

from kiosk.helpcall.model import CallContext, CallStatus, HelpCall
from kiosk.helpcall.service import HelpCallService

__all__ = ["CallContext", "CallStatus", "HelpCall", "HelpCallService"]
