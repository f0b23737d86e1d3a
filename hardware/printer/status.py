"""Printer status: the states the kiosk knows, and how an ESC/POS printer's answers map to them.

A status comes from DLE EOT real-time requests, which a printer answers even when it is
offline. Only an answer that looks like an ESC/POS status byte counts: silence, late or
garbage bytes read as UNKNOWN, never as "paper OK" (python-escpos reads an empty reply as
paper present).
"""

from __future__ import annotations

import enum

DLE_EOT_PRINTER = b"\x10\x04\x01"   # printer status: bit 3 = offline
DLE_EOT_PAPER = b"\x10\x04\x04"     # roll paper sensor: bits 2-3 near end, bits 5-6 paper end

# Every DLE EOT answer has bit 1 and bit 4 set, bits 0 and 7 clear.
_FIXED_MASK, _FIXED_VALUE = 0x93, 0x12


class PrinterStatus(enum.Enum):
    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"     # cannot be reached, or says it is offline
    UNKNOWN = "unknown"     # reached, but no believable answer

    @property
    def can_print(self) -> bool:
        return self in (PrinterStatus.READY, PrinterStatus.PAPER_LOW)


def is_status_byte(answer: bytes) -> bool:
    return len(answer) == 1 and (answer[0] & _FIXED_MASK) == _FIXED_VALUE


def status_from_answers(paper: bytes, printer: bytes | None) -> PrinterStatus:
    """Map the answers to DLE EOT 4 (paper) and DLE EOT 1 (printer; None if not asked)."""
    if not is_status_byte(paper):
        return PrinterStatus.UNKNOWN
    # A printer out of paper also reports itself offline: paper first, it says what to do.
    if paper[0] & 0x60:
        return PrinterStatus.PAPER_OUT
    if printer is None or not is_status_byte(printer):
        return PrinterStatus.UNKNOWN
    if printer[0] & 0x08:
        return PrinterStatus.OFFLINE
    if paper[0] & 0x0C:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.READY


# Answers a printer sends, for fakes and the pty printer in tests and benchmarks.
ANSWER_ONLINE = b"\x12"
ANSWER_OFFLINE = b"\x1a"
ANSWER_PAPER_OK = b"\x12"
ANSWER_PAPER_LOW = b"\x1e"
ANSWER_PAPER_OUT = b"\x72"
