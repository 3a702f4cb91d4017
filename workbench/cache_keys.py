"""The cache's keys: hashes of exactly what decides a translation."""

from __future__ import annotations

import hashlib


def _sha256(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def cache_key(signature: str, src: str, tgt: str, engine_input: str) -> str:
    """Key of a translation made by a given engine."""
    return _sha256(signature, src, tgt, engine_input)


def text_key(src: str, tgt: str, engine_input: str) -> str:
    """Key of a text regardless of engine: finds a translation when no model is installed."""
    return _sha256(src, tgt, engine_input)


def segment_key(signature: str, src: str, tgt: str, segment: str) -> str:
    """Key of the plain segment (before glossary protection) for one engine."""
    return _sha256("segment", signature, src, tgt, segment)


