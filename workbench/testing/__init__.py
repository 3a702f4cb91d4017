"""Helpers for tests and benchmarks only: they build Argos-format packages locally.

Nothing here is used to translate user text.
"""
