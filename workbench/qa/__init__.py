"""Automatic checks of each record, and their memo in the cache."""
