"""Devices at the kiosk's edge: the receipt printer (and, elsewhere, serial buttons and lamps).

Everything here runs off the UI thread with explicit timeouts and reports back through
callbacks; nothing here imports Kivy.
"""
