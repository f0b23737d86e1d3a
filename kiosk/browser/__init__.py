"""Guided browsing: the official site beside the guide, in a browser that forgets.

allowlist: the domains a visitor may open (content's official list + FranceConnect's
identity providers). policy: Chromium's managed policy generated from it. session: one
Chromium per visit on a fresh profile folder, in its own process group, wiped and
verified at reset. service: the worker the controller submits pages to (reports by post).
Kivy-free, like all of kiosk/ but app.py.
"""
