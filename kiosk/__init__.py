"""Pas à pas: a touch-screen kiosk that guides visitors through online procedures."""

__version__ = "0.1.0"
