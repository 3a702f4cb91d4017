"""Evidence about each line that holds across sites and languages, as numbers for the model.

A line's own evidence says how much it reads like running prose (function-word density from
the language's stop-word list, sentence punctuation, length, capitalised words, digits and
symbols); its context says where it stands (runs of short non-prose lines are navigation, a
block between a kept heading and the next prose is a list of links, lines before the first
and after the last prose are page furniture). The rule label is one more feature: the model
learns where the rules are right. No string here belongs to one site.

The stop-word lists (``stopwords.json``) are the 100 most frequent alphabetic words of the
jusText 3.0.2 stop lists (BSD-2-Clause, (c) Jan Pomikálek), lowercased; written by
``benchmarks/train_labels.py --stopwords``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources

from workbench.records import TRANSLATED_KINDS, Kind

#: Kinds in a fixed order: the rule label's one-hot columns and the model's classes.
KINDS: tuple[Kind, ...] = tuple(Kind)
#: A line of at least this many words, with function words and a full stop, is prose.
PROSE_WORDS = 8
#: ...and at least this share of its words are function words.
PROSE_STOP_SHARE = 0.05
#: A short line: navigation, buttons, list items, headings.
SHORT_WORDS = 6
#: Distances to prose are counted up to this many lines.
MAX_DISTANCE = 8

_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…][\"”»’)]*$")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_SEPARATORS = re.compile(r"\s[·|•›»/]\s|\s[·|•›]|[·|•›]\s")
_BULLET = re.compile(r"^[•*▪►\d]")

OWN = ("log_words", "log_chars", "stop_share", "stop_any_share", "ends_sentence",
       "ends_colon", "ends_question", "commas_per_word", "inner_sentences", "cap_share",
       "upper_share", "digit_share", "symbol_share", "separators", "bullet", "has_time",
       "prose", "short", "repeated")
CONTEXT = ("position", "prose_before", "prose_after", "distance_prose_before",
           "distance_prose_after", "short_run", "window_prose", "prev_prose", "next_prose",
           "prev_short", "next_short", "prev_kept", "next_kept", "prev_log_words",
           "next_log_words", "after_kept_heading")
FEATURE_NAMES: tuple[str, ...] = (OWN + CONTEXT + tuple(f"rule_{k.value}" for k in KINDS)
                                  + ("cue",))


@functools.cache
def stopwords() -> dict[str, frozenset[str]]:
    """Per-language function words (see the module docstring for their source)."""
    table = json.loads((resources.files("workbench") / "text" / "stopwords.json")
                       .read_text("utf-8"))
    return {lang: frozenset(words) for lang, words in table["lists"].items()}


@functools.cache
def _any_stopwords() -> frozenset[str]:
    return frozenset().union(*stopwords().values())


def _own(text: str, stop: frozenset[str], counts: dict[str, int]) -> list[float]:
    """Context-free evidence of one line."""
    tokens = text.split()
    n = len(tokens)
    lowered = [t.lower() for t in _TOKEN.findall(text)]
    words = max(len(lowered), 1)
    n_stop = sum(w in stop for w in lowered)
    any_stop = _any_stopwords()
    n_any = sum(w in any_stop for w in lowered)
    chars = max(len(text), 1)
    letters = [t for t in tokens if t[:1].isalpha()]
    ends = _SENTENCE_END.search(text) is not None
    stop_share = n_stop / words
    return [
        math.log1p(n), math.log1p(len(text)), stop_share, n_any / words, float(ends),
        float(text.endswith(":")), float(text.rstrip("\"”»’)").endswith("?")),
        text.count(",") / words, float(len(re.findall(r"[.!?…]\s+\w", text))),
        sum(t[:1].isupper() for t in letters) / max(len(letters), 1),
        sum(t.isupper() and len(t) > 1 for t in letters) / max(len(letters), 1),
        sum(map(str.isdigit, text)) / chars,  # map over a C method: no per-character frame
        (len(text) - sum(map(str.isalnum, text)) - sum(map(str.isspace, text))) / chars,
        float(_SEPARATORS.search(text) is not None), float(_BULLET.match(text) is not None),
        float(_TIME.search(text) is not None),
        float(is_prose(n, stop_share, ends)), float(n <= SHORT_WORDS and not ends),
        float(counts[text] > 1),
    ]


def is_prose(n_words: int, stop_share: float, ends_sentence: bool) -> bool:
    """Running text: long enough, function words, and a sentence end (or very long)."""
    return (n_words >= PROSE_WORDS and stop_share >= PROSE_STOP_SHARE and ends_sentence) \
        or n_words >= 30


_BARE_END = re.compile(r"[.!?…:;,][\"”»’)]*$")
_ITEM = re.compile(r"^(?:[•*▪►◦‣–—-]\s*\S|\d{1,2}[.)]\s)|^[^:]{2,40}:\s+\D*\d")
_MENU_SEPARATOR = re.compile(r"\s[·|•›/]\s")


@dataclass(frozen=True, slots=True)
class Shape:
    """What a line looks like, for the labeller's layout rules (computed once per line)."""

    words: int
    #: Reads as running text (``is_prose``).
    prose: bool
    #: Ends like a sentence.
    sentence: bool
    #: No sentence punctuation at its end: a menu item, a button, a heading, a headline.
    bare: bool
    #: A list item: a bullet, a number, or "key: value" (a fact box's line).
    item: bool
    #: Could be a headline: 3 to 30 words, bare, not a menu, not all capitals, and not
    #: only capitalised words (a menu like "Sport Kultur Politik").
    title_like: bool
    #: Menu entries on one line: "Nyheter · Sport · Kultur" (no digits: a table has them).
    menu: bool


def shape(text: str, stop: frozenset[str]) -> Shape:
    """A line's ``Shape`` given its language's function words."""
    tokens = text.split()
    n = len(tokens)
    lowered = [t.lower() for t in _TOKEN.findall(text)]
    stop_share = sum(w in stop for w in lowered) / max(len(lowered), 1)
    sentence = _SENTENCE_END.search(text) is not None
    bare = _BARE_END.search(text) is None
    parts = _MENU_SEPARATOR.split(text)
    menu = len(parts) >= 3 and bare and not any(map(str.isdigit, text)) and \
        all(len(part.split()) <= 3 for part in parts)
    letters = [t for t in tokens if t[:1].isalpha()]
    title_like = 3 <= n <= 30 and not text.endswith((".", ":", ";")) and not menu and \
        not all(t.isupper() for t in letters) and \
        (stop_share > 0 or any(t[:1].islower() for t in letters))
    return Shape(n, is_prose(n, stop_share, sentence), sentence, bare,
                 _ITEM.match(text) is not None, title_like, menu)


def article_features(texts: list[str], lang: str, rule_kinds: list[Kind],
                     cued: list[bool]) -> list[list[float]]:
    """One row of ``FEATURE_NAMES`` per line, in order; linear in the article's length."""
    stop = stopwords().get(lang, _any_stopwords())
    counts: dict[str, int] = {}
    for text in texts:
        counts[text] = counts.get(text, 0) + 1
    own = [_own(text, stop, counts) for text in texts]
    prose = [row[OWN.index("prose")] > 0 for row in own]
    short = [row[OWN.index("short")] > 0 for row in own]
    kept = [kind not in TRANSLATED_KINDS for kind in rule_kinds]
    n = len(texts)
    before = _distances(prose)
    after = _distances(prose[::-1])[::-1]
    runs = _runs(short)
    heading = _after_kept_heading(prose, short, kept)
    first = next((i for i, flag in enumerate(prose) if flag), n)
    last = next((i for i in range(n - 1, -1, -1) if prose[i]), -1)
    rows = []
    for i in range(n):
        window = prose[max(0, i - 3): i + 4]
        context = [
            i / max(n - 1, 1), float(first < i), float(last > i),
            before[i] / MAX_DISTANCE, after[i] / MAX_DISTANCE,
            math.log1p(runs[i]), sum(window) / len(window),
            float(i > 0 and prose[i - 1]), float(i + 1 < n and prose[i + 1]),
            float(i > 0 and short[i - 1]), float(i + 1 < n and short[i + 1]),
            float(i > 0 and kept[i - 1]), float(i + 1 < n and kept[i + 1]),
            own[i - 1][0] if i > 0 else 0.0, own[i + 1][0] if i + 1 < n else 0.0,
            float(heading[i]),
        ]
        onehot = [float(rule_kinds[i] == kind) for kind in KINDS]
        rows.append(own[i] + context + onehot + [float(cued[i])])
    return rows


def _distances(flags: list[bool]) -> list[int]:
    """Lines since the last flagged line before each line (capped)."""
    result, last = [], None
    for i, flag in enumerate(flags):
        result.append(MAX_DISTANCE if last is None else min(i - last, MAX_DISTANCE))
        if flag:
            last = i
    return result


def _runs(flags: list[bool]) -> list[int]:
    """The length of the run of flagged lines each line is in (0 when not flagged)."""
    result = [0] * len(flags)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        result[i:j] = [j - i] * (j - i)
        i = j
    return result


def _after_kept_heading(prose: list[bool], short: list[bool], kept: list[bool]) -> list[bool]:
    """Lines after a short kept heading ("read also") until the next prose line: links."""
    result, inside = [], False
    for i in range(len(prose)):
        if prose[i]:
            inside = False
        result.append(inside)
        if kept[i] and short[i]:
            inside = True
    return result
