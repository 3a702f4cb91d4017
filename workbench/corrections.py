"""Reviewer corrections: approved English that wins over machine translation from then on.

The review page exports a JSON file of edited sentences; ``workbench corrections apply``
stores them in the cache as approved translations, keyed by language pair and source text
(not by engine or glossary), so they survive model upgrades and glossary edits and are used
in every later run and export without loading a model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InputError
from workbench.text.reader import read_config_text

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")


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
        data = json.loads(read_config_text(path))
    except json.JSONDecodeError as err:
        raise InputError(path, f"not a corrections file (not valid JSON: {err.msg})",
                         err.lineno) from err
    except (OSError, UnicodeDecodeError, RecursionError) as err:
        raise InputError(path, f"not a corrections file ({err})") from err
    entries = data.get("corrections") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(path, "not a corrections file (no 'corrections' list)")
    return [_correction(entry, number, path) for number, entry in enumerate(entries, 1)]


def _correction(entry: object, number: int, path: Path) -> Correction:
    """Check one entry's fields and types; the message names the entry and the field."""
    if not isinstance(entry, dict):
        raise InputError(path, f"correction {number} is not an object")
    missing = [k for k in ("src_lang", "tgt_lang", "src", "tgt")
               if not isinstance(entry.get(k), str) or not entry[k].strip()]
    if missing:
        raise InputError(path, f"correction {number} has no {', '.join(missing)} (text "
                               "expected)")
    for key in ("src_lang", "tgt_lang"):
        if not LANGUAGE_CODE.fullmatch(entry[key]):
            raise InputError(path, f"correction {number}: {key} {entry[key][:20]!r} is not a "
                                   "language code")
    index = entry.get("index", -1)
    if isinstance(index, bool) or not isinstance(index, int) or not -1 <= index < 2**31:
        raise InputError(path, f"correction {number}: index must be a segment number "
                               f"(got {str(index)[:20]!r})")
    article = entry.get("article", "")
    if not isinstance(article, str):
        raise InputError(path, f"correction {number}: article must be text")
    return Correction(entry["src_lang"], entry["tgt_lang"], entry["src"],
                      entry["tgt"].strip(), article, index)
