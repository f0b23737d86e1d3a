"""The receipt printer, split by job.

    service.py      PrintService: the bounded queue and its one worker thread, status machine
    connections.py  thin byte carriers with timeouts: serial, network, USB, file spool, dummy
    render.py       a receipt (kiosk/receipts.py) to ESC/POS bytes; pure, no device
    status.py       PrinterStatus and how DLE EOT answers map to it
    check.py        `kiosk doctor`'s one-line printer check

Import from here (`from hardware.printer import PrintService`); the names below are the
package's public surface and stay importable from this path whatever moves inside.
"""

from hardware.printer.check import check_printer
from hardware.printer.connections import (
                                          Connection,
                                          DummyConnection,
                                          FileConnection,
                                          NetworkConnection,
                                          PrinterIOError,
                                          PrinterTimeout,
                                          SerialConnection,
                                          StreamConnection,
                                          UsbConnection,
                                          make_connection,
)
from hardware.printer.render import RenderError, qr_image, render_escpos, width_chars
from hardware.printer.service import (
                                          ALREADY,
                                          BUSY,
                                          CANCELLED,
                                          DONE,
                                          FAILED,
                                          OFFLINE,
                                          PAPER_OUT,
                                          TIMEOUT,
                                          UNAVAILABLE,
                                          UNCONFIRMED,
                                          PrintOutcome,
                                          PrintService,
)
from hardware.printer.status import (
                                          ANSWER_OFFLINE,
                                          ANSWER_ONLINE,
                                          ANSWER_PAPER_LOW,
                                          ANSWER_PAPER_OK,
                                          ANSWER_PAPER_OUT,
                                          DLE_EOT_PAPER,
                                          DLE_EOT_PRINTER,
                                          PrinterStatus,
                                          is_status_byte,
                                          status_from_answers,
)

__all__ = [
    "check_printer",
    "Connection", "DummyConnection", "FileConnection", "NetworkConnection", "PrinterIOError", "PrinterTimeout",
    "SerialConnection", "StreamConnection", "UsbConnection", "make_connection",
    "RenderError", "qr_image", "render_escpos", "width_chars",
    "ALREADY", "BUSY", "CANCELLED", "DONE", "FAILED", "OFFLINE", "PAPER_OUT", "TIMEOUT", "UNAVAILABLE",
    "UNCONFIRMED", "PrintOutcome", "PrintService",
    "ANSWER_OFFLINE", "ANSWER_ONLINE", "ANSWER_PAPER_LOW", "ANSWER_PAPER_OK", "ANSWER_PAPER_OUT",
    "DLE_EOT_PAPER", "DLE_EOT_PRINTER", "PrinterStatus", "is_status_byte", "status_from_answers",
]
