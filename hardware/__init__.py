"""Devices at the kiosk's edge: the receipt printer (and, elsewhere, serial buttons and lamps).

    printer/          the receipt printer: service (queue, worker), connections, render, status
    serial_device.py  the call lamp and button on a serial line

Everything here runs off the UI thread with explicit timeouts and reports back through
callbacks; nothing here imports Kivy, kiosk.app or screens (hardware may import
kiosk.config, kiosk.receipts and kiosk.i18n, which never import hardware).
"""
