"""The projects app's pages, one module per thing shown (urls.py imports the modules directly)."""
