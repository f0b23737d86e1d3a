"""Procedures as data: model, loader, validation, search."""
