"""The linear-time segmenter gives exactly what the plain definition gives (hostile inputs,
round two, case 5: the plain one copied the rest of the paragraph at every boundary)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.text import segment
from workbench.text.segment import (
    _BOUNDARY_RE,
    _QUOTE_PAIRS,
    ABBREVIATIONS,
    YEAR_MARKERS,
    _colon_ends,
    _ends_with_abbreviation,
    _starts_sentence,
    _year_then_capital,
    cap_length,
    split_sentences,
)


def plain_split(text: str, lang: str) -> list[str]:
    """The definition, quadratic: every check sees the whole text before and after."""
    abbreviations = ABBREVIATIONS.get(lang, frozenset()) | ABBREVIATIONS["en"]
    markers = YEAR_MARKERS.get(lang, frozenset())
    sentences, start = [], 0
    for match in _BOUNDARY_RE.finditer(text):
        before, after = text[start:match.start()], text[match.end():]
        if not after or not _starts_sentence(after):
            continue
        if text[match.start() - 1] == ":" and not _colon_ends(after, lang):
            continue
        if _ends_with_abbreviation(before, abbreviations) and not _year_then_capital(
                before, markers):
            continue
        sentence = text[start:match.end()]
        if any(o != c and sentence.count(o) > sentence.count(c) and c in after
               for o, c in _QUOTE_PAIRS.get(lang, ())):
            continue
        if sentence.strip():
            sentences.append(sentence.strip())
        start = match.end()
    return [*sentences, text[start:].strip()] if text[start:].strip() else sentences


def plain_cap(sentence: str, limit: int) -> list[str]:
    pieces, rest = [], sentence
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        cut = limit if cut <= 0 else cut
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return [p for p in [*pieces, rest] if p]


WORDS = st.sampled_from(["Die", "Regierung", "hat", "z.", "B.", "Nr.", "2023", "r.", "Hanoi.",
                         "«Ja.", "Nein»", "„Gut.", "“", "–", "-", ":", "ein", "Tô", "Lâm.",
                         "J.", "13.", "Wer?", "so!", "(Foto:", "VNA)", "...", "—", "'", '"'])


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=60), st.sampled_from(["de", "pl", "ru", "nb", "sv", "en"]),
       st.sampled_from([" ", "  ", "\u00a0 "]))
def test_split_equals_the_plain_definition(words, lang, space):
    text = space.join(words)
    assert split_sentences(text, lang) == plain_split(text, lang)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab  .", max_size=200), st.integers(1, 30))
def test_cap_length_equals_the_plain_definition(sentence, limit):
    assert cap_length(sentence, limit) == plain_cap(sentence, limit)


def test_the_look_around_windows_hold_what_the_checks_need():
    assert segment._LOOK_AFTER >= 8 and segment._LOOK_BEFORE >= 64
