"""What every screen says aloud, in reading order, built from the machine and the content.

Kivy-free, so that what is spoken is tested without a window: the screens' spoken_text()
and the speech mode's descriptions of controls come from here. The rule that matters
most: a field marked `personal` (a secret, a number) is never spoken, neither its value
nor the characters typed; the receipt's personal lines are not read either.
Text is returned as written on screen: kiosk/speech_text.py turns it into what is heard.
Content written in French (a procedure or a category with no translation in the visit's
language, the configured help lines) is marked (`fr()`) when the visitor listens in another
language, so that the French voice says it (speech_text.engine_input); translated content
is said by the voice of the visit's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.receipts import BlockKind, build_procedure_receipt, display_url, papers_to_bring
from kiosk.session import PrintStatus, SessionMachine, State
from kiosk.speech_text import FRENCH_END, french, french_parts

if TYPE_CHECKING:  # types only
    from kiosk.content.model import Procedure, Step
    from kiosk.controller import KioskController

POPULAR_COUNT = 4  # as screens/home.py shows


def content_language(c: KioskController) -> str:
    """The language the shown procedure's texts are written in ("fr" when none is shown)."""
    proc = c.machine.procedure
    return proc.language if proc is not None else "fr"


def category_language(c: KioskController, category_id: str) -> str:
    translated = c.pack.category_titles.get(c.machine.language, {}).get(category_id)
    return "fr" if translated is None else c.machine.language


def fr(c: KioskController, text: str, language: str | None = None) -> str:
    """Content in what is said: French content is marked for the French voice when the visit
    is in another language. `language` is the content's (default: the shown procedure's)."""
    language = content_language(c) if language is None else language
    return text if language != "fr" or c.language.code == "fr" else french(text)


def join(parts: list[str]) -> str:
    """One utterance: sentences kept apart by a pause (a full stop when none ends them)."""
    out = []
    for part in (p.strip() for p in parts):
        if part:
            out.append(part if part.rstrip(FRENCH_END)[-1:] in tuple(".!?:…؟") else part + ".")
    return " ".join(out)


def screen_lines(c: KioskController) -> list[str]:
    """What is in front of the visitor, the overlay on top if one is open."""
    m, v = c.machine, c.machine.visit
    if m.state is State.IDLE_WARNING:
        return idle_lines(c)
    if v.help_panel_open and v.help_number:
        return help_lines(c)
    if v.leave_asked:
        return leave_lines(c)
    return {State.ATTRACT: attract_lines, State.GOODBYE: attract_lines, State.HOME: home_lines,
            State.STEP: step_lines, State.SUMMARY: summary_lines}[m.state](c)


def screen_text(c: KioskController) -> str:
    return join(screen_lines(c))


# ----- attract and home ------------------------------------------------------------------
def attract_lines(c: KioskController) -> list[str]:
    t = c.t
    message = t("attract.erased") if c.machine.state is State.GOODBYE else t("attract.welcome")
    return [t("app.name"), message, t("attract.touch"), t("speech.invite")]


def home_lines(c: KioskController) -> list[str]:
    t, v = c.t, c.machine.visit
    if v.search_query.strip():
        results = c.search(v.search_query)
        if not results:
            return [t("home.no_result")]
        return [t("home.results"), *(procedure_line(c, p) for p in results)]
    if v.category_id:
        category = next(x for x in c.home_categories() if x.id == v.category_id)
        procs = c.home_order(v.category_id)
        title = fr(c, category.title, category_language(c, category.id))
        return [t("home.all_categories"), title, t("speech.procedure_count", count=len(procs)),
                *(procedure_line(c, p) for p in procs)]
    categories = c.home_categories()
    return [t("home.question"), t("home.popular"),
            *(procedure_line(c, p) for p in c.home_order()[:POPULAR_COUNT]),
            t("home.categories"),
            *(c.t("speech.category", title=fr(c, x.title, category_language(c, x.id))) for x in categories)]


def procedure_line(c: KioskController, proc: Procedure) -> str:
    duration = c.t("home.duration", count=proc.duration_min, minutes=proc.duration_min)
    return f"{fr(c, proc.title, proc.language)}, {duration}"


# ----- steps -------------------------------------------------------------------------------
def step_lines(c: KioskController) -> list[str]:
    m, t = c.machine, c.t
    step, proc = m.step, m.procedure
    if step is None or proc is None:
        return []
    current, total = m.progress()
    out = [t("step.progress", current=current, total=total), fr(c, proc.title), fr(c, step.title)]
    if not m.visit.history:
        out += c.procedure_notes(proc)  # as the screen shows them, on the first step
    if not m.visit.history and proc.before_you_start:
        out += [t("step.before_you_start"), *(fr(c, x) for x in proc.before_you_start)]
    if step.text:
        out.append(fr(c, step.text.strip()))
    if step.image is not None and step.image_alt:
        out.append(t("speech.image", description=fr(c, step.image_alt)))
    out += kind_lines(c, step)
    out += [t(key) for key in c.site_note_keys()]
    return out


def kind_lines(c: KioskController, step: Step) -> list[str]:
    m, t = c.machine, c.t
    if step.kind == "question":
        chosen = m.visit.answers.get(step.id)
        return [t("speech.choices", count=len(step.choices)),
                *(fr(c, choice.label) + (f", {t('speech.chosen')}" if i == chosen else "")
                  for i, choice in enumerate(step.choices))]
    if step.kind == "checklist":
        ticked = m.visit.checked.get(step.id, set())
        return [t("speech.items", count=len(step.items)),
                *(f"{fr(c, item.label)}, {t('speech.ticked') if item.id in ticked else t('speech.not_ticked')}"
                  + (f". {fr(c, item.help)}" if item.help else "") for item in step.items)]
    if step.kind == "field":
        return field_lines(c, step)
    if step.kind == "link" and step.link is not None:
        return [t("speech.qr", label=fr(c, step.link.label), url=display_url(step.link.url))]
    return []


def field_lines(c: KioskController, step: Step) -> list[str]:
    """Label, format, what was typed (never for a personal field), and what is wrong."""
    m, t = c.machine, c.t
    out = [t("speech.field_label", label=fr(c, step.label or step.title))]
    if step.pattern_help:
        out.append(t("speech.field_format", format=fr(c, step.pattern_help)))
    value = m.visit.fields.get(step.id, "")
    if step.personal:
        out.append(t("speech.secret"))
        if value:
            out.append(t("speech.secret_typed", count=len(value)))
    else:
        out.append(t("speech.typed", value=value) if value.strip() else t("speech.nothing_typed"))
    error = m.field_error(step.id)
    if error:
        out.append(t(error))
    return out


def typed_echo(c: KioskController, before: str, after: str) -> str:
    """What is said as the visitor types in speech mode: the character, never a secret's."""
    step = c.machine.step
    if step is None:
        return ""
    if step.personal:
        return c.t("speech.secret_typed", count=len(after))
    if len(after) < len(before):
        return c.t("speech.erased")
    added = after[len(before):] if after.startswith(before) else after[-1:]
    return c.t("speech.space") if added == " " else added


def next_blocked_reason(machine: SessionMachine) -> str | None:
    """Why « Suivant » is dimmed, as a translation key (None when it is not, or no reason)."""
    step = machine.step
    if machine.state is not State.STEP or step is None or machine.can_go_next():
        return None
    return machine.field_error(step.id) if step.kind == "field" else None


# ----- summary and receipt -------------------------------------------------------------
def summary_lines(c: KioskController, now: datetime | None = None) -> list[str]:
    m, t = c.machine, c.t
    proc, end, visit = m.procedure, m.step, m.visit
    if proc is None or end is None:
        return []
    out = [fr(c, end.title)]
    for key, lines in (("summary.done", list(end.done)), ("summary.todo", list(end.todo)),
                       ("summary.bring", papers_to_bring(proc, visit, end.bring))):
        if lines:
            out += [t(key), *(fr(c, x) for x in lines)]
    if end.where:
        out += [t("summary.where"), fr(c, end.where)]
    if visit.print_message_key:
        out.append(t(visit.print_message_key))
    if visit.print_status not in (PrintStatus.PRINTING, PrintStatus.DONE):
        out += receipt_news(c, receipt_lines(c, proc, now or datetime.now()), out)
        if not c.printing_available():
            out.append(t("speech.printer_unavailable"))
    help_lines = c.help_lines()
    if help_lines:  # what the summary shows: only the lines the office configured
        out += [t("receipt.help_heading"), *(fr(c, x, "fr") for x in help_lines)]
    if c.summary_site() is not None and c.site_beside() == "unavailable":
        out.append(t("browse.summary_unavailable"))
    return out


def receipt_lines(c: KioskController, proc: Procedure, now: datetime) -> list[str]:
    """What the receipt will say, before it is printed; its personal lines are not read."""
    receipt = build_procedure_receipt(proc, c.machine.visit, c.cfg.kiosk, now, t=c.t)
    out = [c.t("speech.receipt_says")]
    personal = False
    for block in receipt.blocks:
        if block.personal:
            personal = True
        elif block.kind is BlockKind.BULLETS:
            out += [fr(c, x) for x in block.items]
        elif block.kind in (BlockKind.TITLE, BlockKind.HEADING, BlockKind.TEXT):
            out.append(fr(c, block.text))
    if personal:
        out.append(c.t("speech.receipt_personal"))
    return out


def receipt_news(c: KioskController, receipt: list[str], said: list[str]) -> list[str]:
    """The receipt's lines the summary has not just read (it repeats the screen): the ANTS
    summary went from 2207 to about 1200 characters. Headings stay with what they head."""
    already = {line.strip() for line in said}
    news = [line for line in receipt[1:] if line.strip() not in already]
    if len(news) == len(receipt) - 1:
        return receipt
    return [c.t("speech.receipt_also"), *news]


# ----- overlays ----------------------------------------------------------------------------
def idle_lines(c: KioskController) -> list[str]:
    t = c.t
    return [c.idle_warning_text(), t("idle.continue"), t("idle.more_time"), t("idle.erase_now")]


def leave_lines(c: KioskController) -> list[str]:
    return [c.t("leave.question"), c.t("leave.detail"), c.t("leave.stay"), c.t("leave.go")]


def help_lines(c: KioskController) -> list[str]:
    v, texts = c.machine.visit, c.help_texts()
    return [c.t(texts.title), c.t("help.number", number=v.help_number), c.t(texts.detail)]


# ----- one control, in speech mode ------------------------------------------------------
def control_text(c: KioskController, label: str, *, detail: str = "", tick: bool | None = None,
                 chosen: bool = False, dimmed: bool = False, dimmed_reason: str | None = None,
                 position: tuple[int, int] | None = None, field: bool = False) -> str:
    """« Oui, choisi, bouton, 1 sur 2 »: label, state, kind, place in its list, then the
    button's detail line (a duration, an explanation)."""
    t = c.t
    # A button's label is French content (a procedure, a choice) when the screen's text marks
    # it so: then the French voice says it, as when the whole screen is read.
    french_label = c.language.code != "fr" and label.strip() in french_parts(screen_text(c))
    parts = [french(label) if french_label else label]
    if tick is not None:
        parts.append(t("speech.ticked") if tick else t("speech.not_ticked"))
    elif chosen:
        parts.append(t("speech.chosen"))
    parts.append(t("speech.field") if field else t("speech.button"))
    if dimmed:
        parts.append(t("speech.dimmed_because", reason=t(dimmed_reason)) if dimmed_reason
                     else t("speech.dimmed"))
    if position is not None and position[1] > 1:
        parts.append(t("speech.position", position=position[0], count=position[1]))
    said = ", ".join(p.rstrip(".") if p[-1:] != FRENCH_END else p for p in parts) + "."
    return f"{said} {detail}" if detail else said  # a button's detail line comes after
