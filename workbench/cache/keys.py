"""Every cache key, by one recipe: a SHA-256 over the parts that decide the stored value.

Parts are joined by the unit separator (``\\x1f``), as the translations table has always
keyed them, so caches written by earlier versions keep their translations. Text is encoded
with ``surrogatepass``: a key can be made of any text that reached the run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

_SEPARATOR = b"\x1f"


def make_key(*parts: str | bytes) -> str:
    """The key of a stored value, from everything that decides it."""
    return key_of(parts)


def key_of(parts: Iterable[str | bytes]) -> str:
    """``make_key`` over a stream of parts (a whole article's records, say)."""
    digest = hashlib.sha256()
    first = True
    for part in parts:
        if not first:
            digest.update(_SEPARATOR)
        first = False
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def cache_key(signature: str, src: str, tgt: str, engine_input: str) -> str:
    """Key of a translation made by a given engine."""
    return make_key(signature, src, tgt, engine_input)


def text_key(src: str, tgt: str, engine_input: str) -> str:
    """Key of a text regardless of engine: finds a translation when no model is installed."""
    return make_key(src, tgt, engine_input)


def segment_key(signature: str, src: str, tgt: str, segment: str) -> str:
    """Key of the plain segment (before glossary protection) for one engine."""
    return make_key("segment", signature, src, tgt, segment)
