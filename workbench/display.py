"""Show any name or text safely: valid UTF-8, one line, no control characters.

File names on POSIX are bytes. Python hands undecodable bytes over as lone surrogates, which
cannot be written as UTF-8, and control characters in a name break XML and terminals. Every
name that reaches an output or a message goes through here first, so one odd file name can
neither abort a run nor corrupt the outputs of the others.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Controls, lone surrogates, noncharacters, and bidirectional embeddings, overrides and
# isolates (U+202E shows the rest of a line reversed: a name could disguise itself).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """Escape what cannot be shown: lone surrogates as ``\\xNN``, controls as ``\\n`` etc."""
    if not _UNSAFE.search(text):
        return text
    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as os.fsdecode carries it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif _UNSAFE.match(char):
            out.append(_NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else
                                            f"\\u{code:04x}"))
        else:
            out.append(char)
    return "".join(out)


def display_path(path: Path | str | bytes) -> str:
    """A path as safe one-line text."""
    text = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    return safe_text(text)

