"""Reviewer corrections: approved English that wins over machine translation from then on.

The review page exports a JSON file of edited sentences; ``workbench corrections apply``
stores them in the cache as approved translations, keyed by language pair and source text
(not by engine or glossary), so they survive model upgrades and glossary edits and are used
in every later run and export without loading a model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InputError


@dataclass(frozen=True, slots=True)
class Correction:
    """A reviewer's English for one source sentence."""

    src_lang: str
    tgt_lang: str
    src: str
    tgt: str
    article: str = ""
    index: int = -1


def load_corrections(path: Path) -> list[Correction]:
    """Read and validate a corrections file exported by the review page.

    Raises:
        InputError: the file is unreadable, not JSON, or an entry lacks a field.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(path, f"not a corrections file ({err})") from err
    entries = data.get("corrections") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(path, "not a corrections file (no 'corrections' list)")
    corrections = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(path, f"correction {number} is not an object")
        missing = [k for k in ("src_lang", "tgt_lang", "src", "tgt")
                   if not isinstance(entry.get(k), str) or not entry[k].strip()]
        if missing:
            raise InputError(path, f"correction {number} has no {', '.join(missing)}")
        corrections.append(Correction(entry["src_lang"], entry["tgt_lang"], entry["src"],
                                      entry["tgt"].strip(), str(entry.get("article", "")),
                                      int(entry.get("index", -1))))
    return corrections
