"""Hostile and broken uploads and form posts (see cases.py for the list, files.py for the builders)."""
