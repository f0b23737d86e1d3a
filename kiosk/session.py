"""The session state machine: one visitor, from the first touch to the reset.

Screens only show what this machine holds; every change goes through a method here,
is logged (never with what the visitor typed) and is announced to listeners. Time comes
from an injectable monotonic clock so every timeout can be tested without waiting.
"""

from __future__ import annotations

import enum
import logging
import re
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from kiosk.config import SessionSection
from kiosk.content.model import ContentPack, Procedure, Step
from kiosk.speech import DEFAULT_RATE, DEFAULT_VOLUME

log = logging.getLogger(__name__)


class State(enum.Enum):
    ATTRACT = "attract"            # nobody here: invite a touch
    HOME = "home"                  # choosing a procedure
    STEP = "step"                  # inside a procedure, one step per screen
    SUMMARY = "summary"            # end of a procedure: what was done, what is left, print
    IDLE_WARNING = "idle_warning"  # nobody touched for a while: countdown before reset
    GOODBYE = "goodbye"            # just wiped: « Vos informations ont été effacées »


ACTIVE = (State.HOME, State.STEP, State.SUMMARY)
# A field's « Ce n'est pas le bon format » waits until the visitor taps « Suivant » or
# stops typing this long: a number half-typed is not a mistake.
FIELD_CHECK_PAUSE_S = 1.5
# « Imprimer un autre exemplaire » takes the place of « Imprimer » once a print is
# confirmed: a tap this soon after is the second half of a double tap, not a request.
PRINT_AGAIN_AFTER_S = 2.0


class PrintStatus(enum.StrEnum):
    """Where the visitor's summary print is; the values are what logs and tests read."""

    NONE = ""
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"


class HelpStatus(enum.StrEnum):
    """Where the visitor's help call is, as far as the kiosk knows."""

    NONE = ""
    WAITING = "waiting"            # asked for; no channel has reached a person yet
    UNREACHED = "unreached"        # still no person reached after help_unreached_after_s
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"


@dataclass
class Visit:
    """Everything one visitor did or typed. Cleared in place at reset."""

    started_at: float
    category_id: str | None = None
    search_query: str = ""         # what the visitor typed in the home search field
    procedure_id: str | None = None
    step_id: str | None = None
    history: list[str] = field(default_factory=list)
    checked: dict[str, set[str]] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    show_in_full: set[str] = field(default_factory=set)
    print_status: PrintStatus = PrintStatus.NONE
    print_message_key: str = ""    # what the visitor is told about the print
    help_number: int = 0           # queue number of the visitor's help call, 0 = none
    help_status: HelpStatus = HelpStatus.NONE
    help_since: float | None = None
    help_call_id: str | None = None  # the help desk's id of that call
    help_panel_open: bool = False    # the big panel with the number is shown
    text_scale_index: int = 0        # index into theme.TEXT_SCALES, chosen with « Agrandir »
    language: str = ""               # a code of kiosk.languages chosen by the visitor; "" = [kiosk] language
    leave_asked: bool = False        # « Quitter cette démarche ? » is shown
    more_time_s: float = 0           # added to this step's idle limit by « J'ai besoin de plus de temps »
    speech_mode: bool = False        # a touch says what it touches, a double tap acts (issue 14)
    speech_volume: int = DEFAULT_VOLUME  # espeak-ng -a, chosen without sight
    speech_rate: int = DEFAULT_RATE      # espeak-ng -s
    field_checked: set[str] = field(default_factory=set)  # field steps whose error may be shown
    field_typed_at: float | None = None  # when the visitor last typed in the field
    print_copies: int = 0            # receipts of this visit the printer has confirmed
    print_done_at: float | None = None  # when the last one was confirmed

    def clear(self) -> None:
        self.category_id = self.procedure_id = self.step_id = None
        self.search_query = ""
        for holder in (self.history, self.checked, self.answers, self.fields, self.show_in_full,
                       self.field_checked):
            holder.clear()
        self.field_typed_at = None
        self.print_copies, self.print_done_at = 0, None
        self.print_status, self.help_status = PrintStatus.NONE, HelpStatus.NONE
        self.print_message_key = ""
        self.help_number = self.text_scale_index = 0
        self.language = ""
        self.help_since = self.help_call_id = None
        self.help_panel_open = self.leave_asked = False
        self.more_time_s = 0
        self.speech_mode = False
        self.speech_volume, self.speech_rate = DEFAULT_VOLUME, DEFAULT_RATE

    def speech_is_default(self) -> bool:
        return (not self.speech_mode and self.speech_volume == DEFAULT_VOLUME
                and self.speech_rate == DEFAULT_RATE)

    def is_empty(self) -> bool:
        return not (self.category_id or self.search_query or self.procedure_id or self.step_id or self.history
                    or self.checked or self.answers or self.fields or self.show_in_full
                    or self.print_status or self.help_number or self.help_status
                    or self.help_call_id or self.help_panel_open or self.text_scale_index
                    or self.language or self.leave_asked or self.more_time_s or not self.speech_is_default()
                    or self.field_checked or self.field_typed_at is not None or self.print_copies
                    or self.print_done_at is not None)


Listener = Callable[["SessionMachine"], None]
# (event, procedure_id, step_id, value): session_started, procedure_started,
# procedure_finished, procedure_abandoned, session_ended (value: seconds; step_id: reason).
EventSink = Callable[[str, str, str, float], None]


class SessionMachine:
    def __init__(self, content: ContentPack, settings: SessionSection,
                 clock: Callable[[], float] = time.monotonic,
                 on_reset: Callable[[str], None] | None = None,
                 help_max_wait_s: float = 600, events: EventSink | None = None,
                 help_unreached_after_s: float = 30):
        self.content = content
        # [kiosk] language, set by the controller: the language of a visit nobody switched.
        self.default_language = "fr"
        self._events = events
        self.help_max_wait_s = help_max_wait_s
        self.help_unreached_after_s = help_unreached_after_s
        self.settings = settings
        self._clock = clock
        self._on_reset = on_reset
        self._listeners: list[Listener] = []
        self.state = State.ATTRACT
        self.visit = Visit(started_at=clock())
        self.last_touch = clock()
        self.warning_since: float | None = None
        self.goodbye_since: float | None = None
        self._state_before_warning: State | None = None

    # ----- observation -------------------------------------------------------------
    def _event(self, name: str, procedure_id: str = "", step_id: str = "", value: float = 1) -> None:
        """Anonymous facts for statistics: ids from the content pack, never visitor input."""
        if self._events is not None:
            try:
                self._events(name, procedure_id, step_id, value)
            except Exception:  # statistics must never break a visit
                log.exception("statistics event %s failed", name)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _set(self, new: State, reason: str) -> None:
        old = self.state
        self.state = new
        log.info("session %s -> %s (%s) procedure=%s step=%s", old.value, new.value, reason,
                 self.visit.procedure_id or "-", self.visit.step_id or "-")
        for listener in list(self._listeners):
            listener(self)

    def _changed(self, reason: str) -> None:
        """Same state, new content (another step, a tick in a checklist)."""
        self._set(self.state, reason)

    @property
    def procedure(self) -> Procedure | None:
        """The procedure in the visit's language (French where it has no translation)."""
        pid = self.visit.procedure_id
        return self.content.procedure_in(pid, self.language) if pid else None

    @property
    def language(self) -> str:
        """The visit's language: the visitor's choice, else the kiosk's (default_language)."""
        return self.visit.language or self.default_language

    @property
    def step(self) -> Step | None:
        proc = self.procedure
        return proc.step(self.visit.step_id) if proc and self.visit.step_id else None

    def progress(self) -> tuple[int, int]:
        """(current step number, total) on the longest remaining path, summary included."""
        proc, step = self.procedure, self.step
        if not proc or not step:
            return (0, 0)
        current = len(self.visit.history) + 1
        return current, current + proc.remaining_steps(step.id)

    def elapsed_s(self) -> float:
        return self._clock() - self.visit.started_at

    # ----- visitor actions -----------------------------------------------------------
    def touch(self) -> None:
        """Any touch anywhere: the visitor is still here."""
        self.last_touch = self._clock()
        if self.state is State.IDLE_WARNING:
            self.keep_going()

    def start(self) -> None:
        if self.state in (State.ATTRACT, State.GOODBYE):
            # A text size or speech mode chosen before the first touch holds.
            old = self.visit
            self.visit = Visit(started_at=self._clock(), text_scale_index=old.text_scale_index,
                               speech_mode=old.speech_mode, speech_volume=old.speech_volume,
                               speech_rate=old.speech_rate)
            self.last_touch = self._clock()
            self._event("session_started")
            self._set(State.HOME, "first touch")

    def open_category(self, category_id: str | None) -> None:
        """Show one category's procedures on the home screen (None: back to all categories)."""
        if self.state is State.HOME:
            self.visit.category_id = category_id
            self._changed("category")

    def set_search(self, query: str) -> None:
        """The home search field changed: the home screen shows results instead of themes."""
        if self.state is State.HOME and query != self.visit.search_query:
            self.visit.search_query = query
            self._changed("search")

    def open_procedure(self, procedure_id: str) -> None:
        if self.state is not State.HOME:
            return
        proc = self.content.procedures[procedure_id]
        # The theme or search the visitor came from is kept: « Précédent » on the first
        # step goes back there.
        self.visit.procedure_id = proc.id
        self.visit.step_id = proc.first_step.id
        self.visit.history.clear()
        self._event("procedure_started", proc.id)
        self._set(State.STEP, "procedure chosen")

    def go_home(self) -> None:
        """« Accueil »: the first page of home; what was done in the procedure is dropped."""
        if self.state in (State.STEP, State.SUMMARY):
            self.visit.category_id, self.visit.search_query = None, ""
            self._leave_procedure("back to home")
        elif self.state is State.HOME and self.visit.category_id:
            self.open_category(None)

    def _leave_procedure(self, reason: str) -> None:
        v = self.visit
        self._abandon_if_unfinished()
        v.procedure_id = v.step_id = None
        for holder in (v.history, v.checked, v.answers, v.fields, v.show_in_full, v.field_checked):
            holder.clear()
        v.field_typed_at = None
        v.print_status, v.print_message_key, v.print_copies = PrintStatus.NONE, "", 0
        v.print_done_at = None
        v.leave_asked = False
        self._set(State.HOME, reason)

    def has_progress(self) -> bool:
        """Would leaving now erase something the visitor ticked, chose or typed? (What the
        question says will be erased: moving forward alone is not asked about.)"""
        v = self.visit
        return self.state in (State.STEP, State.SUMMARY) and bool(
            any(v.checked.values()) or v.answers or any(value.strip() for value in v.fields.values()))

    def ask_to_leave(self) -> None:
        """« Quitter cette démarche ? » before « Accueil » drops what was done."""
        if self.has_progress() and not self.visit.leave_asked:
            self.visit.leave_asked = True
            self._changed("asked to leave the procedure")
        elif not self.has_progress():
            self.go_home()

    def answer_leave(self, leave: bool) -> None:
        if not self.visit.leave_asked:
            return
        if leave:
            self.go_home()
        else:
            self.visit.leave_asked = False
            self._changed("stays in the procedure")

    def can_go_next(self) -> bool:
        step = self.step
        if self.state is not State.STEP or step is None:
            return False
        if step.kind == "question":
            return step.id in self.visit.answers
        # A field step's « Suivant » can always be tapped: the tap checks the field and
        # says what is wrong (see next()).
        return True

    def next(self) -> None:
        step = self.step
        if not self.can_go_next() or step is None:
            return
        if step.kind == "field" and not self._field_passes(step):
            return
        target = (step.choices[self.visit.answers[step.id]].next if step.kind == "question"
                  else step.next)
        self._go_to(target, "next")

    def _field_passes(self, step: Step) -> bool:
        """« Suivant » on a field step: a wrong value is shown as wrong first; once shown, an
        optional field's wrong value is dropped (the visitor was told so) and the visit goes
        on. A required field that is empty or wrong keeps the visitor here."""
        error = self.field_error(step.id)
        if error is None:
            return True
        if step.id not in self.visit.field_checked:
            self.visit.field_checked.add(step.id)
            self._changed("field checked")
            return False
        if step.optional and error == "field.invalid":
            self.visit.fields.pop(step.id, None)
            self.visit.field_checked.discard(step.id)
            log.info("optional field %s left in a wrong format: dropped", step.id)
            return True
        return False

    def shown_field_error(self, step_id: str) -> str | None:
        """The field's error once it may be shown (after « Suivant » or a pause in typing)."""
        return self.field_error(step_id) if step_id in self.visit.field_checked else None

    def field_check_pending(self) -> None:
        """From tick(): the visitor stopped typing for FIELD_CHECK_PAUSE_S, check the field."""
        v, step = self.visit, self.step
        if (self.state is not State.STEP or step is None or step.kind != "field"
                or v.field_typed_at is None or step.id in v.field_checked):
            return
        if self._clock() - v.field_typed_at >= FIELD_CHECK_PAUSE_S and v.fields.get(step.id, "").strip():
            v.field_checked.add(step.id)
            self._changed("field checked after a pause")

    def choose(self, choice_index: int) -> None:
        """Answer a question step; the answer leads straight to its branch."""
        step = self.step
        if self.state is not State.STEP or step is None or step.kind != "question":
            return
        if not 0 <= choice_index < len(step.choices):
            return
        self.visit.answers[step.id] = choice_index
        self._go_to(step.choices[choice_index].next, f"choice {choice_index + 1}")

    def _go_to(self, target: str | None, reason: str) -> None:
        proc = self.procedure
        if proc is None or target is None:
            return
        self.visit.history.append(self.visit.step_id)
        self.visit.step_id = target
        if proc.step(target).kind == "end":
            self._event("procedure_finished", proc.id)
            self._set(State.SUMMARY, "procedure finished")
        else:
            self._changed(reason)

    def previous(self) -> None:
        v = self.visit
        if self.state not in (State.STEP, State.SUMMARY):
            return
        if not v.history:
            self._leave_procedure("back to where the visitor came from")
            return
        v.step_id = v.history.pop()
        if self.state is State.SUMMARY:
            self._set(State.STEP, "back from summary")
        else:
            self._changed("previous")

    def toggle(self, item_id: str) -> None:
        step = self.step
        if self.state is not State.STEP or step is None or step.kind != "checklist":
            return
        if item_id not in {i.id for i in step.items}:
            return
        ticked = self.visit.checked.setdefault(step.id, set())
        ticked.symmetric_difference_update({item_id})
        self._changed("checklist")

    def set_field(self, value: str) -> None:
        step = self.step
        if self.state is not State.STEP or step is None or step.kind != "field":
            return
        if self.visit.fields.get(step.id) == value:
            return
        self.visit.fields[step.id] = value
        # Typing again hides the error until the next pause or « Suivant ».
        self.visit.field_checked.discard(step.id)
        self.visit.field_typed_at = self._clock()
        # Screens refresh this step in place (the error line, « Suivant »): the text input
        # itself already shows the value and is not rebuilt.
        self._changed("field typed")

    def field_error(self, step_id: str) -> str | None:
        """Translation key of what is wrong with a field's value, or None when it is fine."""
        proc = self.procedure
        if proc is None:
            return None
        step = proc.step(step_id)
        value = self.visit.fields.get(step_id, "").strip()
        if not value:
            return None if step.optional else "field.required"
        if step.pattern and not re.fullmatch(step.pattern, value):
            return "field.invalid"
        return None

    def set_show_in_full(self, step_id: str, in_full: bool) -> None:
        if (step_id in self.visit.show_in_full) == in_full:
            return
        (self.visit.show_in_full.add if in_full else self.visit.show_in_full.discard)(step_id)
        self._changed("print in full" if in_full else "print masked")

    def toggle_show_in_full(self) -> None:
        """The current field step's « imprimer en entier » tick."""
        step = self.step
        if self.state is State.STEP and step is not None and step.kind == "field":
            self.set_show_in_full(step.id, step.id not in self.visit.show_in_full)

    def set_text_scale(self, index: int) -> None:
        if index != self.visit.text_scale_index:
            self.visit.text_scale_index = index
            self._changed(f"text scale {index}")

    def set_speech(self, mode: bool, volume: int, rate: int) -> None:
        """Speech mode on or off, and the voice's volume and rate (for this visit only)."""
        v = self.visit
        if (v.speech_mode, v.speech_volume, v.speech_rate) != (mode, volume, rate):
            v.speech_mode, v.speech_volume, v.speech_rate = mode, volume, rate
            self._changed(f"speech mode {'on' if mode else 'off'} volume {volume} rate {rate}")

    def set_language(self, code: str) -> None:
        """The visitor's language for this visit ("" = the configured one); nothing else changes."""
        if code != self.visit.language:
            self.visit.language = code
            self._changed(f"language {code or 'default'}")

    def may_print(self) -> bool:
        """Not while printing, nor in the instant after a confirmed print (a double tap)."""
        v = self.visit
        if v.print_status is PrintStatus.PRINTING:
            return False
        return not (v.print_status is PrintStatus.DONE and v.print_done_at is not None
                    and self._clock() - v.print_done_at < PRINT_AGAIN_AFTER_S)

    def print_started(self) -> None:
        self.visit.print_status, self.visit.print_message_key = PrintStatus.PRINTING, "summary.printing"
        self._changed("print started")

    def print_finished(self, ok: bool, message_key: str | None) -> None:
        v = self.visit
        if ok:
            v.print_copies, v.print_done_at = v.print_copies + 1, self._clock()
        v.print_status = PrintStatus.DONE if ok else PrintStatus.FAILED
        v.print_message_key = message_key or ("print.done" if ok else "print.failed")
        self._changed(f"print {v.print_status.value}")

    # ----- help calls -------------------------------------------------------------------
    def help_requested(self, number: int, call_id: str | None = None) -> None:
        v = self.visit
        v.help_number, v.help_status, v.help_since = number, HelpStatus.WAITING, self._clock()
        v.help_call_id, v.help_panel_open = call_id, True
        self._changed("help requested")

    def help_updated(self, status: str) -> None:
        """A call of this visit changed: delivered, acknowledged, or ended ("")."""
        v = self.visit
        if not v.help_number:
            return
        if status == HelpStatus.NONE:
            v.help_number, v.help_status, v.help_since = 0, HelpStatus.NONE, None
            v.help_call_id, v.help_panel_open = None, False
            self.last_touch = self._clock()  # the idle countdown starts afresh after a call
        else:
            v.help_status = HelpStatus(status)
        self._changed(f"help {status or 'ended'}")

    def show_help_panel(self, shown: bool) -> None:
        """Open the panel with the call's number again, or close it (the call goes on)."""
        shown = shown and bool(self.visit.help_number)
        if shown != self.visit.help_panel_open:
            self.visit.help_panel_open = shown
            self._changed("help panel " + ("shown" if shown else "closed"))

    @property
    def idle_paused(self) -> bool:
        """A waiting help call holds the reset, but not forever (the visitor may have left)."""
        v = self.visit
        return bool(v.help_number and v.help_since is not None
                    and self._clock() - v.help_since < self.help_max_wait_s)

    def end_session(self, reason: str = "visitor finished") -> None:
        """« Terminer »: wipe now and say goodbye."""
        if self.state in ACTIVE or self.state is State.IDLE_WARNING:
            self.reset(reason)

    # ----- time ---------------------------------------------------------------------
    def idle_limit_s(self) -> float:
        step = self.step
        base = self.settings.idle_timeout_s
        if self.state is State.STEP and step is not None and step.idle_timeout_s:
            base = step.idle_timeout_s
        return base + self.visit.more_time_s

    def more_time(self) -> None:
        """« J'ai besoin de plus de temps » on the idle warning: stay, with a longer limit.

        The touch that presses it has already ended the warning (any touch does), so it
        also works from the state the warning went back to."""
        if self.state is State.IDLE_WARNING or self.state in ACTIVE:
            self.visit.more_time_s = self.settings.more_time_s
            log.info("more time asked: %d s added to the idle limit", self.settings.more_time_s)
            self.keep_going()
            self.last_touch = self._clock()

    def warning_left_s(self) -> float:
        if self.warning_since is None:
            return 0.0
        return max(0.0, self.settings.idle_warning_s - (self._clock() - self.warning_since))

    def keep_going(self) -> None:
        if self.state is State.IDLE_WARNING:
            self.visit.leave_asked = False  # the warning was on top; start afresh
            self.last_touch = self._clock()
            self.warning_since = None
            back = self._state_before_warning or State.HOME
            self._state_before_warning = None
            self._set(back, "visitor still here")

    def tick(self) -> None:
        """Called a few times a second by the app: fires the timeouts that are due."""
        now = self._clock()
        v = self.visit
        self.field_check_pending()
        if (v.help_status is HelpStatus.WAITING and v.help_since is not None
                and now - v.help_since >= self.help_unreached_after_s):
            # Nobody has been reached yet: the visitor must not keep waiting on a promise.
            v.help_status = HelpStatus.UNREACHED
            self._changed("help not delivered yet")
        if self.state in ACTIVE and not self.idle_paused:
            if now - self.last_touch >= self.idle_limit_s():
                self._state_before_warning = self.state
                self.warning_since = now
                self._set(State.IDLE_WARNING, "no touch")
        elif self.state is State.IDLE_WARNING:
            if self.idle_paused:
                self.keep_going()
            elif self.warning_left_s() <= 0:
                self.reset("inactivity")
        elif self.state is State.GOODBYE and self.goodbye_since is not None:
            if now - self.goodbye_since >= self.settings.goodbye_s:
                self.goodbye_since = None
                self._set(State.ATTRACT, "goodbye shown")

    # ----- reset ----------------------------------------------------------------------
    def _abandon_if_unfinished(self) -> None:
        state = self._state_before_warning if self.state is State.IDLE_WARNING else self.state
        if state is State.STEP and self.visit.procedure_id and self.visit.step_id:
            self._event("procedure_abandoned", self.visit.procedure_id, self.visit.step_id)

    def reset(self, reason: str) -> None:
        """Drop everything the visitor did, run the wipe, and show the goodbye screen."""
        if self.state is not State.ATTRACT and self.state is not State.GOODBYE:
            self._abandon_if_unfinished()
            self._event("session_ended", "", reason, self.elapsed_s())
        self.warning_since = None
        self._state_before_warning = None
        if self._on_reset is not None:
            # The wipe runs while the visit that ends is still here, so that its holders
            # can undo what it started (cancel its help call, drop its print job).
            self._on_reset(reason)
        self.visit.clear()
        self.visit = Visit(started_at=self._clock())
        self.goodbye_since = self._clock()
        self._set(State.GOODBYE, f"reset: {reason}")

    def failsafe(self, error: BaseException) -> None:
        """An unexpected error anywhere: wipe and go back to the start, never show a traceback."""
        # The exception's message may quote what the visitor typed: log its type and where
        # it happened, never its text.
        frames = traceback.extract_tb(error.__traceback__)
        where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames[-4:]))
        log.error("failsafe after unexpected %s at %s", type(error).__name__, where or "?")
        try:
            self.reset("failsafe")
        except Exception:  # the wipe itself failed: still leave nothing on screen
            log.exception("reset failed during failsafe")
            self.visit = Visit(started_at=self._clock())
            self._set(State.ATTRACT, "failsafe")
