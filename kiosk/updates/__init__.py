"""Signed content updates over The Update Framework: repo.py (content team), client.py (kiosk)."""
