"""What a help call is: its context (never anything the visitor typed), its status, its record.

A call carries the kiosk's name and place, the procedure and step reached (ids and
titles from the content pack), how long the visitor has been there and a queue number.
CallContext has no field that could hold typed text.

    WAITING ──first channel that reaches a person──▶ DELIVERED
       │                                                │
       └──────────────┬─────────────────────────────────┘
                      ▼
      ACKNOWLEDGED (a conseiller answered) | CANCELLED (the visitor, or the reset)
      | EXPIRED (nobody answered within [helpcall] expire_s)
"""

from __future__ import annotations

import enum
import time
import uuid
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class CallContext:
    procedure_id: str | None
    procedure_title: str | None
    step_id: str | None
    step_title: str | None
    elapsed_s: float


class CallStatus(enum.Enum):
    WAITING = "waiting"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ACTIVE = (CallStatus.WAITING, CallStatus.DELIVERED)


@dataclass
class HelpCall:
    id: str
    number: int
    status: CallStatus
    created_at: float                     # wall clock, for display and across restarts
    context: CallContext
    channels_pending: list[str] = field(default_factory=list)
    channels_done: list[str] = field(default_factory=list)
    channels_sending: list[str] = field(default_factory=list)   # in flight (see module doc)
    attempts: dict[str, int] = field(default_factory=dict)
    last_error: dict[str, str] = field(default_factory=dict)
    # Runtime only, not stored: monotonic times.
    created_mono: float = 0.0
    next_try: dict[str, float] = field(default_factory=dict)

    @classmethod
    def new(cls, number: int, context: CallContext, channels: list[str] = (), created_mono: float = 0.0,
            created_at: float | None = None) -> HelpCall:
        return cls(id=uuid.uuid4().hex, number=number, status=CallStatus.WAITING,
                   created_at=time.time() if created_at is None else created_at, context=context,
                   channels_pending=list(channels), created_mono=created_mono)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def copy(self) -> HelpCall:
        return replace(self, channels_pending=list(self.channels_pending), channels_done=list(self.channels_done),
                       channels_sending=list(self.channels_sending),
                       attempts=dict(self.attempts), last_error=dict(self.last_error), next_try=dict(self.next_try))

    def to_record(self) -> dict:
        ctx = self.context
        return {"id": self.id, "number": self.number, "status": self.status.value, "created_at": self.created_at,
                "context": {"procedure_id": ctx.procedure_id, "procedure_title": ctx.procedure_title,
                            "step_id": ctx.step_id, "step_title": ctx.step_title, "elapsed_s": ctx.elapsed_s},
                "channels_pending": self.channels_pending, "channels_done": self.channels_done,
                "channels_sending": self.channels_sending,
                "attempts": self.attempts, "last_error": self.last_error}

    @classmethod
    def from_record(cls, record: dict) -> HelpCall:
        ctx = record["context"]
        return cls(id=record["id"], number=int(record["number"]), status=CallStatus(record["status"]),
                   created_at=float(record["created_at"]),
                   context=CallContext(ctx["procedure_id"], ctx["procedure_title"], ctx["step_id"],
                                       ctx["step_title"], float(ctx["elapsed_s"])),
                   channels_pending=list(record["channels_pending"]), channels_done=list(record["channels_done"]),
                   channels_sending=list(record.get("channels_sending", [])),
                   attempts=dict(record.get("attempts", {})), last_error=dict(record.get("last_error", {})))
