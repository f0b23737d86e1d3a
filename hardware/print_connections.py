"""Moved to hardware.printer.connections; kept for kiosk/cli_print.py until it imports hardware.printer."""
from hardware.printer.connections import *  # noqa: F401,F403
