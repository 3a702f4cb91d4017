"""One rule for text a person enters: the desk, a corrections file, a glossary entry.

What a reviewer or a terminologist types becomes English in every format at once
(``records.jsonl``, TMX, XLIFF, the review pages, SQLite). Characters that some of them cannot
hold (controls, lone surrogates, noncharacters) or that change how text around them is shown
(bidirectional overrides) are refused where the text enters, so the formats never disagree;
invisible characters that carry no text (zero-width space, soft hyphen, a stray BOM) are
removed, as article text loses them in normalization.
"""

from __future__ import annotations

import re
import unicodedata

import regex

from workbench.text.normalize import KEPT_JOINER

# C0 controls (tab and line breaks are handled apart), DEL and C1 controls.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK_RE = re.compile("[\n\r\u0085\u2028\u2029]")
# Embeddings, overrides and isolates: text after one is shown reordered (U+202E reverses it).
_BIDI_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Noncharacters: never text; XML 1.0 cannot carry U+FFFE/U+FFFF. The last two code points
# of every plane, and U+FDD0-U+FDEF.
_NONCHARACTER_RE = re.compile("[\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)) + "]")
# Everything that shows nothing: format characters (zero-width space, soft hyphen, invisible
# operators, tag characters that can hide a second text, the Arabic letter mark...), Hangul
# fillers, the combining grapheme joiner and Mongolian variation selectors; joiners that are
# text (emoji sequences, Persian and Indic letter forms) stay.
_SHOWS_NOTHING_RE = regex.compile(
    f"(?!{KEPT_JOINER})[\\p{{Cf}}\u115f\u1160\u3164\uffa0\u034f\u180b-\u180f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_TAB_RE = re.compile("[ \t]*\t[ \t]*")


class EnteredTextError(ValueError):
    """Text that cannot be stored as entered; the message says what and where, in one line."""


def clean_entered_text(text: str, what: str = "text") -> str:
    """``text`` as stored: NFC, one line, without invisible characters.

    Raises:
        EnteredTextError: it holds a line break, a control character, a lone surrogate, a
            noncharacter or a bidirectional control, or nothing visible (``what`` names it).
    """
    for pattern, kind in ((_SURROGATE_RE, "a lone surrogate"),
                          (_LINE_BREAK_RE, "a line break"),
                          (_CONTROL_RE, "a control character"),
                          (_NONCHARACTER_RE, "a noncharacter"),
                          (_BIDI_CONTROL_RE, "a bidirectional control")):
        found = pattern.search(text)
        if found:
            raise EnteredTextError(f"{what} holds {kind} (U+{ord(found.group()):04X} at "
                                   f"character {found.start() + 1})")
    cleaned = _TAB_RE.sub(" ", _SHOWS_NOTHING_RE.sub("", unicodedata.normalize("NFC", text)))
    cleaned = cleaned.strip()
    if not cleaned:
        raise EnteredTextError(f"{what} is empty (or only invisible characters)")
    return cleaned
