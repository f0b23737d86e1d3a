"""What the summary's QR code carries when the kiosk cannot print: the receipt, in short.

Built from the receipt's layout model (kiosk/receipts.py), so the phone gets what the paper
would have said: the procedure, what is left to do, the papers to bring, where to go and
the official link. Never a value the visitor typed (blocks marked `personal`), never the
« Ce que vous avez fait » part (the visitor knows it), never the footer.

A QR code holds more the bigger it gets, and a big code has small modules that a phone
cannot read from the screen. The text is kept under MAX_PAYLOAD_BYTES (UTF-8), which fits
a version 13 code at level M (69 modules), as the kiosk draws it: scanned from the kiosk screen in tests with
zbar (tests/screens/test_visitor_truth_2.py). Lines that do not fit are left off, and
the text says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import t
from kiosk.receipts import BlockKind, Receipt

MAX_PAYLOAD_BYTES = 360
QR_BORDER_MODULES = 2  # the quiet zone drawn around the code on screen
# Headings of the receipt whose section goes into the code, in receipt order.
SECTION_KEYS = ("receipt.todo", "receipt.bring", "receipt.where")


@dataclass(frozen=True)
class QRPayload:
    text: str
    complete: bool  # False: some lines were left off to keep the code readable

    @property
    def size_bytes(self) -> int:
        return len(self.text.encode("utf-8"))


def _sections(receipt: Receipt) -> tuple[str, list[tuple[str, list[str]]], str | None]:
    """(title, [(heading, lines)], link) from the receipt's blocks, personal ones left out."""
    wanted = {t(key) for key in SECTION_KEYS}
    title, link, sections = "", None, []
    current: list[str] | None = None
    for block in receipt.blocks:
        if block.personal:
            continue
        if block.kind is BlockKind.TITLE:
            title = block.text
        elif block.kind is BlockKind.QR:
            link = block.text
        elif block.kind is BlockKind.HEADING:
            current = [] if block.text in wanted else None
            if current is not None:
                sections.append((block.text, current))
        elif current is not None and block.kind is BlockKind.BULLETS:
            current += [f"- {item}" for item in block.items]
        elif current is not None and block.kind is BlockKind.TEXT:
            current.append(block.text)
        elif block.kind is BlockKind.SEPARATOR:
            current = None
    return title, sections, link


def build_payload(receipt: Receipt, max_bytes: int = MAX_PAYLOAD_BYTES) -> QRPayload:
    """The text for the code: title, sections, link last. Each section gets a fair share of
    the room (what one leaves unused goes to the next), so that a long « reste à faire »
    never pushes the papers out; lines past its share are left off, and the text says so."""
    title, sections, link = _sections(receipt)
    cut = t("receipt.qr_cut")

    def size(lines: list[str]) -> int:
        return len("\n".join(lines).encode("utf-8")) + 1 if lines else 0

    fixed = size([title] if title else []) + size([link] if link else []) + size([cut])
    room = max_bytes - fixed
    lines: list[str] = [title] if title else []
    complete = True
    for n, (heading, body) in enumerate(sections):
        share, taken = room // (len(sections) - n), []
        for line in (heading, *body):
            if size([*taken, line]) > share:
                complete = False
                if len(taken) == 1:  # not even one line: its first words, rather than nothing
                    taken.append(_shorten(line, share - size(taken) - 1))
                break
            taken.append(line)
        if len(taken) > 1 and taken[-1]:  # a heading with nothing under it says nothing
            lines += taken
            room -= size(taken)
        elif body:
            complete = False
    text = "\n".join([*lines, *([] if complete else [cut]), *([link] if link else [])])
    return QRPayload(text, complete)


def _shorten(line: str, max_bytes: int) -> str:
    """The line's first whole words within max_bytes, and « … »."""
    words, out = line.split(" "), ""
    for word in words:
        candidate = f"{out} {word}" if out else word
        if len((candidate + " …").encode("utf-8")) > max_bytes:
            break
        out = candidate
    return f"{out} …" if out else ""


def make_code(text: str):
    """The QR code of text: level M, byte mode with the ECI header for UTF-8, so that a
    phone reads « é » and « à » as written, whatever it would guess without it."""
    import segno
    return segno.make(text, error="m", eci=True, micro=False, boost_error=False)


def qr_version(text: str) -> int:
    """The QR version (size) the summary draws for text."""
    return make_code(text).version
