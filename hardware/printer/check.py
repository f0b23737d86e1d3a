"""`kiosk doctor`'s printer line: one read of the configured printer, what to do in plain words."""

from __future__ import annotations

import os
from pathlib import Path

from hardware.printer.connections import (
    NetworkConnection,
    PrinterIOError,
    SerialConnection,
    StreamConnection,
    UsbConnection,
)
from hardware.printer.render import RenderError, render_escpos
from hardware.printer.status import PrinterStatus
from kiosk.config import Config
from kiosk.receipts import Receipt


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_printer(cfg: Config, timeout_s: float) -> tuple[str, str]:
    """("OK"|"WARN"|"FAIL", one plain line of what to do). Reads only: creates nothing."""
    p = cfg.printer
    if p.connection == "none":
        return "WARN", 'no printer ([printer] connection = "none"): visitors get the link as a QR code on screen'
    try:
        render_escpos(Receipt(()), p)
    except RenderError as e:
        return "FAIL", f"{e}: set a profile from python-escpos's list that has this code page"
    if p.connection == "dummy":
        return "WARN", "dummy printer: receipts stay in memory and never print; set [printer] connection"
    if p.connection == "file":
        spool = cfg.data_path(p.spool_dir)
        if spool.is_dir():
            if not os.access(spool, os.W_OK):
                return "FAIL", f"spool {spool} is not writable by this user: fix its owner"
            return "WARN", f"receipts go to files in {spool}, not to paper; set [printer] connection for a printer"
        if spool.exists():
            return "FAIL", f"spool {spool} is not a folder: move it away or set [printer] spool_dir"
        parent = _nearest_existing(spool.parent)
        if not os.access(parent, os.W_OK):
            return "FAIL", f"spool {spool} cannot be created ({parent} is not writable): fix its owner"
        return "WARN", f"receipts will go to files in {spool} (created at first print), not to paper"
    conn: StreamConnection
    if p.connection == "serial":
        conn = SerialConnection(p.serial_device, p.serial_baudrate, timeout_s)
    elif p.connection == "network":
        conn = NetworkConnection(p.network_host, p.network_port, timeout_s)
    else:
        conn = UsbConnection(p.usb_vendor_id, p.usb_product_id, timeout_s)
    try:
        if not p.status_reads:
            try:
                conn.open()
            except PrinterIOError as e:
                return "FAIL", f"{e}: check the cable, the power and [printer] settings"
            return "OK", f"{conn.name} opens (status reads are off: paper is not checked)"
        status = conn.read_status(timeout_s)
        detail = conn.last_error
    finally:
        conn.close()
    if status is PrinterStatus.READY:
        return "OK", f"{conn.name}: ready, paper present"
    if status is PrinterStatus.PAPER_LOW:
        return "WARN", f"{conn.name}: paper nearly out: have a new roll ready"
    if status is PrinterStatus.PAPER_OUT:
        return "FAIL", f"{conn.name}: out of paper: put in a new roll"
    if status is PrinterStatus.OFFLINE:
        if detail:
            return "FAIL", f"{detail}: check the cable, the power and [printer] settings"
        return "FAIL", f"{conn.name}: printer says it is offline: close the cover, check the paper and the power"
    return "FAIL", (f"{conn.name}: no status answer within {timeout_s:g} s: check it is on; "
                    "if this printer cannot answer, set [printer] status_reads = false")

