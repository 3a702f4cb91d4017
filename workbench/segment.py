"""Sentence segmentation: the only place sentence boundaries are decided.

Because every other step works on the segments this module returns, and the engine gets one
segment per input and never re-splits, record *i* of an article is always source sentence *i*
and its translation.
"""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence, per language (lower-case,
# without the final period).
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "nb": frozenset({"nr", "bl.a", "f.eks", "dvs", "ca", "mv", "osv", "jf", "kl", "pkt", "s"}),
    "da": frozenset({"nr", "bl.a", "f.eks", "dvs", "ca", "mv", "osv", "jf", "kl", "pkt", "s"}),
    "sv": frozenset({"nr", "bl.a", "t.ex", "dvs", "ca", "m.m", "osv", "jfr", "kl", "s"}),
    "de": frozenset({"nr", "z.b", "bzw", "ca", "usw", "dr", "prof", "vgl", "u.a", "d.h", "s",
                     "abs", "art", "st", "mio", "mrd"}),
    "pl": frozenset({"nr", "r", "ul", "np", "tzw", "m.in", "godz", "ok", "tj", "dr", "prof",
                     "mln", "mld", "tys", "zł", "im", "pkt", "ust", "art", "św"}),
    "ru": frozenset({"г", "гг", "т.е", "т.д", "т.п", "др", "им", "ул", "стр", "млн", "млрд",
                     "тыс", "руб", "см", "т", "е", "д", "п"}),
    "en": frozenset({"mr", "mrs", "ms", "dr", "prof", "no", "vs", "etc", "e.g", "i.e", "st",
                     "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov",
                     "dec", "u.s", "inc", "ltd", "co"}),
}

# A candidate boundary: sentence-final punctuation (and closing quotes/brackets), then space.
_BOUNDARY_RE = re.compile(r"(?<=[.!?…])[\"'»”“)\]]*\s+")
_WORD_BEFORE_RE = re.compile(r"(\S+)$")
# What may start a sentence: an upper-case letter, a digit, or an opening quote/bracket.
_SENTENCE_START_RE = re.compile(r"[\"'«„“(\[]*[^\W\d_a-zà-ÿа-я]|[\"'«„“(\[]*\d", re.UNICODE)


def split_sentences(text: str, lang: str) -> list[str]:
    """Split one paragraph into sentences; never returns an empty sentence.

    Joining the result with single spaces gives back ``text`` up to whitespace.
    """
    abbreviations = ABBREVIATIONS.get(lang, frozenset()) | ABBREVIATIONS["en"]
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        before = text[start:match.start()]
        after = text[match.end():]
        if not after or not _starts_sentence(after):
            continue
        if _ends_with_abbreviation(before, abbreviations):
            continue
        sentence = text[start:match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _starts_sentence(after: str) -> bool:
    first = after[:4]
    if first[:1].isdigit():
        return True
    return bool(_SENTENCE_START_RE.match(first)) and not first.lstrip("\"'«„“([")[:1].islower()


def _ends_with_abbreviation(before: str, abbreviations: frozenset[str]) -> bool:
    match = _WORD_BEFORE_RE.search(before)
    if not match:
        return False
    word = match.group(1).rstrip("\"'»”)]")
    if not word.endswith("."):
        return False
    stem = word[:-1].lstrip("(\"'«„“").lower()
    if stem in abbreviations:
        return True
    # Single letters (initials like "J.") and ordinals/dates ("13.", "19.") do not end sentences.
    return (len(stem) == 1 and stem.isalpha()) or (stem.isdigit() and len(stem) <= 2)
