"""The SQLite cache: translations, approvals and everything derived, under one key recipe."""
