"""Snowball stemmers by language code: one per language, made once."""

from __future__ import annotations

import functools
from typing import Any

_SNOWBALL = {"ru": "russian", "de": "german", "nb": "norwegian", "da": "danish",
             "sv": "swedish", "pl": "polish", "en": "english", "uk": "russian",
             "fr": "french", "es": "spanish", "it": "italian", "nl": "dutch",
             "pt": "portuguese", "cs": "czech", "fi": "finnish"}


@functools.cache
def snowball(lang: str) -> Any:
    """The Snowball stemmer of a language, or None when there is none for it."""
    import snowballstemmer

    algorithm = _SNOWBALL.get(lang)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


def stem_words(words: list[str], lang: str) -> list[str]:
    """Lower-cased words as their stems (as they are, for a language without a stemmer)."""
    lowered = [w.lower() for w in words]
    stemmer = snowball(lang)
    return stemmer.stemWords(lowered) if stemmer else lowered
