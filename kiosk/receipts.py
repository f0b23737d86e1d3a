"""What a receipt says: a layout model made of blocks, independent of any printer.

A receipt is a list of blocks (title, heading, text, bullet list, QR code, big number,
separator, small print). hardware/printer.py turns it into ESC/POS bytes; receipt_text()
turns it into plain text for tests, previews and reading receipts back.

Values the visitor typed are marked `personal` on their block so a renderer that writes
to disk (the file spool) can leave them out. Masking happens here, when the receipt is
built: a masked value never exists in the receipt at all.
"""

from __future__ import annotations

import enum
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from kiosk.config import HelpLine, KioskSection
from kiosk.content.model import Procedure
from kiosk.content.papers import same_paper
from kiosk.i18n import t
from kiosk.languages import BY_CODE
from kiosk.session import Visit

Translate = Callable[..., str]  # kiosk.i18n.t, or the controller's Translator (the visit's language)

# '•' is in CP1252 (0x95) but not in CP858, where it prints as '?': mask with a character
# every code page has.
MASK_CHAR = "*"
# last4 shows 4 characters only when at least this many are hidden; a shorter value
# would be almost entirely shown.
MIN_HIDDEN_FOR_LAST4 = 4
_DIGIT_GROUPS = re.compile(r"(?<=\d) (?=\d)")


class BlockKind(enum.Enum):
    TITLE = "title"            # the procedure's name, large
    HEADING = "heading"        # « Ce que vous avez vu ici : »
    TEXT = "text"              # a paragraph
    BULLETS = "bullets"        # items
    QR = "qr"                  # text = the URL to encode
    BIG_NUMBER = "big_number"  # help ticket number, readable at 2 m
    SEPARATOR = "separator"
    SMALL = "small"            # small print: place, date


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    items: tuple[str, ...] = ()
    personal: bool = False     # holds (possibly masked) visitor input


@dataclass(frozen=True)
class Receipt:
    blocks: tuple[Block, ...]
    kind: str = "procedure"    # procedure | help_ticket | test
    # Written right to left (the visit's language): its lines drawn as images run from the
    # right edge, even one that starts with a Latin word (« RIB (…) »).
    rtl: bool = False

    @property
    def personal(self) -> bool:
        return any(b.personal for b in self.blocks)

    @property
    def qr_urls(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if b.kind is BlockKind.QR)


def title(text: str) -> Block:
    return Block(BlockKind.TITLE, text)


def heading(text: str) -> Block:
    return Block(BlockKind.HEADING, text)


def paragraph(text: str, personal: bool = False) -> Block:
    return Block(BlockKind.TEXT, text, personal=personal)


def bullets(items: list[str] | tuple[str, ...]) -> Block:
    return Block(BlockKind.BULLETS, items=tuple(items))


def qr(url: str) -> Block:
    return Block(BlockKind.QR, url)


def big_number(text: str) -> Block:
    return Block(BlockKind.BIG_NUMBER, text)


SEPARATOR = Block(BlockKind.SEPARATOR)


def small(text: str) -> Block:
    return Block(BlockKind.SMALL, text)


# ----- French dates --------------------------------------------------------------------
def date_in_full(moment: datetime, t: Translate = t) -> str:
    """« 22 novembre 2026 à 10 h 15 », the hour kept on one line by no-break spaces."""
    return t("receipt.date_time", date=day_in_full(moment, t), time=time_of_day(moment, t))


def day_in_full(moment: datetime, t: Translate = t) -> str:
    day = t("receipt.first_day") if moment.day == 1 else str(moment.day)
    return t("receipt.date", day=day, month=t(f"receipt.month_{moment.month}"), year=moment.year)


def time_of_day(moment: datetime, t: Translate = t) -> str:
    return t("receipt.time", hour=moment.hour, minute=f"{moment.minute:02d}")


# ----- masking -------------------------------------------------------------------------
def mask_value(value: str, mask: str) -> str:
    """The value as printed under a mask rule: none | last4 | all."""
    value = value.strip()
    if mask == "none":
        return value
    significant = [c for c in value if not c.isspace()]
    if mask == "last4" and len(significant) - 4 >= MIN_HIDDEN_FOR_LAST4:
        return MASK_CHAR * 4 + " " + "".join(significant[-4:])
    # The length is hidden too: a fixed count of mask characters.
    return MASK_CHAR * 8


# ----- builders ------------------------------------------------------------------------
def _end_step(procedure: Procedure, visit: Visit):
    if visit.step_id:
        try:
            step = procedure.step(visit.step_id)
        except KeyError:
            return None
        if step.kind == "end":
            return step
    return None


def _visited(procedure: Procedure, visit: Visit) -> list[str]:
    """Step ids the visitor went through, in procedure order."""
    seen = set(visit.history) | ({visit.step_id} if visit.step_id else set())
    return [s.id for s in procedure.steps if s.id in seen]


def papers_to_bring(procedure: Procedure, visit: Visit, end_bring: tuple[str, ...]) -> list[str]:
    """End-step papers plus checklist items the visitor did not tick (summary screen and receipt).

    A ticked paper is never listed, even when the end step names it too."""
    ticked_labels: list[str] = []
    unticked: list[str] = []
    for step_id in _visited(procedure, visit):
        step = procedure.step(step_id)
        if step.kind != "checklist" or not step.papers:
            continue
        ticked = visit.checked.get(step_id, set())
        for item in step.items:
            (ticked_labels if item.id in ticked else unticked).append(item.label)
    papers = [p for p in end_bring if not any(same_paper(p, label) for label in ticked_labels)]
    for label in unticked:
        if not any(same_paper(label, p) for p in papers):
            papers.append(label)
    return papers


def _field_lines(procedure: Procedure, visit: Visit, t: Translate) -> list[Block]:
    blocks = []
    for step_id in _visited(procedure, visit):
        step = procedure.step(step_id)
        value = visit.fields.get(step_id, "").strip()
        # Only a field the content author meant for the receipt is printed.
        if step.kind != "field" or not value or not step.receipt_label:
            continue
        in_full = not step.personal or step_id in visit.show_in_full
        shown = value if in_full else mask_value(value, step.mask)
        blocks.append(paragraph(t("receipt.field", label=step.receipt_label, value=shown), personal=True))
    return blocks


def help_line_texts(help_lines: tuple[HelpLine, ...], t: Translate = t) -> list[str]:
    """One line per configured phone line (summary screen and receipt); none configured, none shown."""
    return [t("receipt.help_line_hours" if line.hours else "receipt.help_line",
              label=line.label, number=line.number, hours=line.hours) for line in help_lines]


def _footer(kiosk: KioskSection, printed_at: datetime, help_lines: tuple[HelpLine, ...], t: Translate) -> list[Block]:
    help_blocks = ([heading(t("receipt.help_heading")), bullets(help_line_texts(help_lines, t)), SEPARATOR]
                   if help_lines else [])
    return [SEPARATOR,
            *help_blocks,
            small(t("receipt.printed_by", name=kiosk.name, place=kiosk.place)),
            small(t("receipt.printed_on", when=date_in_full(printed_at, t)))]


def build_procedure_receipt(procedure: Procedure, visit: Visit, kiosk: KioskSection,
                            printed_at: datetime, help_lines: tuple[HelpLine, ...] = (),
                            t: Translate = t) -> Receipt:
    """The summary's receipt: `procedure` in the visit's language (machine.procedure), and
    `t` the visit's translator (the controller's), so that every line is in one language."""
    end = _end_step(procedure, visit)
    blocks: list[Block] = [small(t("receipt.header")), title(procedure.title)]
    done, todo, bring, where = (end.done, end.todo, end.bring, end.where) if end else ((), (), (), None)
    if done:
        blocks += [heading(t("receipt.done")), bullets(done)]
    if todo:
        blocks += [heading(t("receipt.todo")), bullets(todo)]
    papers = papers_to_bring(procedure, visit, bring)
    if papers:
        blocks += [heading(t("receipt.bring")), bullets(papers)]
    if where:
        blocks += [heading(t("receipt.where")), paragraph(where)]
    fields = _field_lines(procedure, visit, t)
    if fields:
        blocks += [heading(t("receipt.your_info")), *fields]
    link = procedure.link_on_path(visit.history)
    if link:
        blocks += [heading(t("receipt.link", label=link.label)), qr(link.url), paragraph(display_url(link.url))]
    blocks += _footer(kiosk, printed_at, help_lines, t)
    return Receipt(tuple(blocks), kind="procedure", rtl=_right_to_left(t))


def _right_to_left(t: Translate) -> bool:
    language = BY_CODE.get(getattr(t, "language", ""))  # the controller's Translator knows it
    return language is not None and language.direction == "rtl"


def build_help_ticket(number: int, kiosk: KioskSection, printed_at: datetime) -> Receipt:
    blocks = (
        title(t("receipt.ticket_title")),
        big_number(str(number)),
        paragraph(t("receipt.ticket_wait")),
        SEPARATOR,
        small(kiosk.name),
        small(t("receipt.ticket_time", date=day_in_full(printed_at), time=time_of_day(printed_at))),
    )
    return Receipt(blocks, kind="help_ticket")


def display_url(url: str) -> str:
    """The URL as a visitor types it: no https://, no trailing slash (shorter lines on paper)."""
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            url = url[len(prefix):]
    return url.rstrip("/")


def build_test_receipt(kiosk: KioskSection, printed_at: datetime,
                       url: str = "https://www.service-public.fr") -> Receipt:
    """For `kiosk print-test`: every character that goes wrong with a bad code page, and a QR."""
    blocks = (
        title(t("receipt.test_title")),
        paragraph(t("receipt.test_accents")),
        paragraph("é è ê à â ç ù û ô î ï ë œ Œ É È À Ç « » – €"),
        heading(t("receipt.test_qr")),
        qr(url),
        paragraph(display_url(url)),
        *_footer(kiosk, printed_at, (), t),  # staff read the test page: French
    )
    return Receipt(blocks, kind="test")


# ----- plain text ----------------------------------------------------------------------
def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    # Keep digit groups together (« 01 70 772 372 ») so a phone number is never cut in two.
    text = _DIGIT_GROUPS.sub("\u00a0", text)
    lines: list[str] = []
    for n, para in enumerate(text.splitlines() or [""]):
        lines += textwrap.wrap(para, width, initial_indent=first if n == 0 else rest,
                               subsequent_indent=rest, break_long_words=True,
                               break_on_hyphens=False) or [""]
    return lines


def block_lines(block: Block, width: int) -> list[str]:
    """The lines of one block at width characters; shared by the text and ESC/POS renderers."""
    kind = block.kind
    if kind is BlockKind.TITLE:
        return _wrap(block.text, width)
    if kind in (BlockKind.HEADING, BlockKind.TEXT, BlockKind.SMALL):
        return _wrap(block.text, width)
    if kind is BlockKind.BULLETS:
        lines = []
        for item in block.items:
            lines += _wrap(item, width, "- ", "  ")
        return lines
    if kind is BlockKind.SEPARATOR:
        return ["-" * width]
    if kind is BlockKind.BIG_NUMBER:
        return [block.text]
    if kind is BlockKind.QR:
        return ["[QR]"]  # the URL is printed as text right after
    raise ValueError(kind)


def receipt_text(receipt: Receipt, width_chars: int) -> str:
    """The receipt as plain text, width_chars wide (48 for 80 mm paper, 32 for 58 mm)."""
    out: list[str] = []
    for block in receipt.blocks:
        lines = block_lines(block, width_chars)
        if block.kind is BlockKind.TITLE:
            out += [line.center(width_chars).rstrip() for line in lines]
            out.append("=" * width_chars)
        elif block.kind is BlockKind.HEADING:
            out.append("")
            out += lines
        elif block.kind is BlockKind.BIG_NUMBER:
            out += ["", f"[ {block.text} ]".center(width_chars).rstrip(), ""]
        elif block.kind is BlockKind.QR:
            out += [line.center(width_chars).rstrip() for line in lines]
        else:
            out += lines
    return "\n".join(out) + "\n"
