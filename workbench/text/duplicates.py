"""Find repeated and near-repeated paragraphs and sentences, to flag them (never drop them).

Scraped articles often repeat a paragraph (a lead repeated as the last paragraph, a paragraph
with and without an abbreviation). Each later copy is flagged ``duplicate-of:N`` or
``near-duplicate-of:N``, N being the index of the first segment of the first copy.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

#: Word-level similarity at or above which two paragraphs are near-duplicates.
NEAR_DUPLICATE_RATIO = 0.75
#: Shorter lines repeat for legitimate reasons (headings, names); ignore them.
MIN_WORDS = 8
#: Paragraphs longer than this are compared for exact equality only (difflib is quadratic).
MAX_COMPARED_WORDS = 400
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def near_duplicates(paragraphs: Sequence[str]) -> dict[int, tuple[int, bool]]:
    """Map the position of each repeated paragraph to (position of first copy, exact?)."""
    found: dict[int, tuple[int, bool]] = {}
    seen: list[tuple[int, list[str], set[str]]] = []
    exact: dict[tuple[str, ...], int] = {}
    for i, text in enumerate(paragraphs):
        tokens = _words(text)
        if len(tokens) < MIN_WORDS:
            continue
        key = tuple(tokens)
        if key in exact:
            found[i] = (exact[key], True)
            continue
        exact[key] = i
        if len(tokens) <= MAX_COMPARED_WORDS:
            vocabulary = set(tokens)
            for j, other, other_vocabulary in seen:
                if _similar(tokens, vocabulary, other, other_vocabulary):
                    found[i] = (j, False)
                    break
            seen.append((i, tokens, vocabulary))
    return found


#: Sentences shorter than this repeat legitimately ("Thank you.", a name); never flagged.
MIN_SENTENCE_WORDS = 6


class RepeatedSentences:
    """Remember an article's sentences; say which earlier segment a repeated one copies."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}

    def first_copy(self, sentence: str, index: int) -> int | None:
        """The index of the first copy of ``sentence`` if it came before, else None."""
        if len(sentence.split()) < MIN_SENTENCE_WORDS:
            return None
        earlier = self._first.setdefault(sentence, index)
        return earlier if earlier != index else None


def _similar(a: list[str], a_set: set[str], b: list[str], b_set: set[str]) -> bool:
    if min(len(a), len(b)) / max(len(a), len(b)) < 0.6:
        return False
    if len(a_set & b_set) / len(a_set | b_set) < 0.5:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_DUPLICATE_RATIO
