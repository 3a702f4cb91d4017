"""Text clean-up: Unicode, invisible characters, whitespace and punctuation spacing.

Normalization never drops a visible character except spaces: what it removes (control and
invisible characters) is counted, so ``articles.jsonl`` can say how much was cleaned.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import Any

import regex

# Zero-width and formatting characters that carry no text: removed and counted.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
# ...except the joiners where they are text: ZWJ inside an emoji sequence (👨‍👩‍👧 is one
# family, not three people), and ZWJ/ZWNJ between letters of scripts that use them to choose
# a letter form (Persian ‌ می‌خواهم, Indic conjuncts).
_JOINING_SCRIPTS = ("Arabic", "Syriac", "Devanagari", "Bengali", "Gurmukhi", "Gujarati",
                    "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Khmer",
                    "Myanmar", "Mongolian")
_SCRIPT_CLASS = "".join(f"\\p{{Script={name}}}" for name in _JOINING_SCRIPTS)
#: A joiner that is text (an emoji sequence, a Persian or Indic letter form), as a regex.
KEPT_JOINER = (r"(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f])\u200d"
                r"(?=\p{Extended_Pictographic})"
                rf"|(?<=[{_SCRIPT_CLASS}])[\u200c\u200d](?=[{_SCRIPT_CLASS}])")
_INVISIBLE_RE = regex.compile(f"(?!{KEPT_JOINER})[{_INVISIBLE}]")
# C0/C1 control characters except tab and newlines (XML cannot hold them either).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Every kind of horizontal space (NBSP, thin space, ideographic space...) becomes one space.
_SPACES_RE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"(?<=\S) +(?=[,.;:!?](?:\s|$))")
_TRAILING_SEPARATOR_RE = re.compile(r"\s+[|•·]+\s*$")
# Half of a UTF-16 surrogate pair, alone: JSON can carry one ("\ud83d"), UTF-8 cannot.
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# A JSON integer too long for int(): the place json_without_surrogates reports.
_LONG_NUMBER_RE = re.compile(rf"\d{{{sys.get_int_max_str_digits() + 1},}}")
# ...as a JSON escape: only a text with one can decode to a lone surrogate.
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


# A lower-case letter directly followed by an upper-case one, or a word glued to a number:
# "desPolitbüros", "TứcBáo", "Tức29/10/2025". Mixed-case brands (iPhone) are rare in news.
_GLUED_RE = re.compile(r"(?<=[^\W\d_])(?<![A-ZÀ-ÞĐА-ЯЁ])(?=[A-ZÀ-ÞĐА-ЯЁ][a-zß-ÿđа-яё])"
                       r"|(?<=[a-zß-ÿđа-яё]{3})(?=\d{1,4}[./]\d)")
_GLUED_TOKEN_RE = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """An article's non-blank lines after normalization, with their original line numbers."""

    lines: tuple[tuple[int, str], ...]  # (1-based line number in the input, text)
    removed_chars: int


def replace_surrogates(text: str) -> tuple[str, int]:
    """Lone surrogates replaced by U+FFFD (they cannot be written as UTF-8), and how many."""
    if not _LONE_SURROGATE_RE.search(text):
        return text, 0
    return _LONE_SURROGATE_RE.subn("\ufffd", text)


def parse_json(raw: str | bytes) -> Any:
    """``json.loads`` for JSON from outside: the one reader of every file and request.

    Feeds, a run's files, manifests, corrections, the desk's requests, package metadata.
    Whatever ``json`` cannot take is a :class:`json.JSONDecodeError` with its place, so every
    caller's one-line error covers it: a number longer than Python converts (4,300 digits)
    and nesting deeper than the interpreter's stack.
    """
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as err:
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        if isinstance(err, RecursionError):
            raise json.JSONDecodeError("nested too deeply", text, 0) from None
        # int() refused the digits: Python's integer string conversion limit.
        digits = _LONG_NUMBER_RE.search(text)
        raise json.JSONDecodeError(f"a number of over {sys.get_int_max_str_digits():,} "
                                   "digits", text, digits.start() if digits else 0) from None


def json_without_surrogates(raw: str) -> Any:
    """:func:`parse_json`, with every lone surrogate in the result replaced by U+FFFD.

    A file Workbench reads back (a run's records, a reviewer's corrections) may hold
    ``"\ud83d"``: valid JSON, but text that no file, database or terminal can take.
    """
    data = parse_json(raw)
    return _cleaned(data) if _SURROGATE_ESCAPE_RE.search(raw) else data


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return replace_surrogates(value)[0]
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    return value


def remove_invisible(text: str) -> str:
    """``text`` without zero-width and formatting characters (joiners kept where they are text)."""
    return _INVISIBLE_RE.sub("", text)


def normalize_line(line: str) -> tuple[str, int]:
    """Normalize one line; return it and how many characters went or were replaced.

    Invisible and control characters are removed; lone surrogates become U+FFFD.
    """
    line, lone = replace_surrogates(line)
    line = unicodedata.normalize("NFC", line)
    cleaned, invisible = _INVISIBLE_RE.subn("", line)
    cleaned, control = _CONTROL_RE.subn(" ", cleaned)
    cleaned = _SPACES_RE.sub(" ", cleaned).strip()
    cleaned = _TRAILING_SEPARATOR_RE.sub("", cleaned)
    cleaned = _SPACE_BEFORE_PUNCT_RE.sub("", cleaned)
    return cleaned, invisible + control + lone


def normalize_text(text: str) -> NormalizedText:
    """Split text into lines (any newline convention) and normalize each non-blank line."""
    lines: list[tuple[int, str]] = []
    removed = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line, gone = normalize_line(raw)
        removed += gone
        if line:
            lines.append((number, line))
    return NormalizedText(tuple(lines), removed)


def split_glued(line: str, prefixes: frozenset[str]) -> tuple[str, bool]:
    """Find words glued together by a scraper; split only where that is certain.

    Returns the line (split where the glued prefix is a known function word of the language,
    as in ``desPolitbüros`` -> ``des Politbüros``) and whether any glued word was seen.
    """
    if _GLUED_RE.search(line) is None:  # the common case: no word boundary inside a token
        return line, False
    glued = False

    def fix(match: re.Match[str]) -> str:
        nonlocal glued
        token = match.group(0)
        if "://" in token or "@" in token:
            return token
        cuts = [m.start() for m in _GLUED_RE.finditer(token)
                if 2 <= m.start() < len(token) and token[m.start() - 2:m.start()].islower()
                and not token.startswith(("Mc", "Mac"))]
        if not cuts:
            return token
        glued = True
        first = token[: cuts[0]]
        if len(cuts) == 1 and first.lower() in prefixes:
            return f"{first} {token[cuts[0]:]}"
        return token

    return _GLUED_TOKEN_RE.sub(fix, line), glued
