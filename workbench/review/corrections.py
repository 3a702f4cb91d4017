"""Reviewer corrections: approved English that wins over machine translation from then on.

The review page exports a JSON file of edited sentences; ``workbench corrections apply``
stores them in the cache as approved translations, keyed by language pair and source text
(not by engine or glossary), so they survive model upgrades and glossary edits and are used
in every later run and export without loading a model. The same file carries the glossary
terms a reviewer proposed (``terms``), which go into the glossary like ``glossary add``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InputError
from workbench.files import read_config_text
from workbench.glossary.edit import TermProposal
from workbench.records import TERM_TYPES, Correction
from workbench.text.normalize import json_without_surrogates

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")


def load_review_file(path: Path) -> tuple[list[Correction], list[TermProposal]]:
    """A review-page file's corrections and proposed glossary terms, read and checked once.

    Raises:
        InputError: the file is unreadable, not JSON, or an entry lacks a field.
    """
    data = _read(path)
    return _corrections(data, path), _proposals(data, path)


@dataclass(frozen=True)
class ReviewFileInfo:
    """What a file says about itself before anything in it is stored."""

    run_dir: Path | None = None  # the run folder the review pages were made for
    proposed_terms: int = 0


def describe_review_file(path: Path) -> ReviewFileInfo:
    """The run a ``corrections.json`` names, and whether it proposes glossary terms.

    The review pages write ``"run": "STARTED|OUT_DIR"``; CAT files (XLIFF, TMX) name no run.
    """
    try:
        data = _read(path)
    except InputError:
        return ReviewFileInfo()  # not JSON: a CAT file, read (and refused) by apply_file
    run = data.get("run")
    run_dir = Path(run.split("|", 1)[1]) if isinstance(run, str) and "|" in run else None
    terms = data.get("terms")
    return ReviewFileInfo(run_dir, len(terms) if isinstance(terms, list) else 0)


def load_corrections(path: Path) -> list[Correction]:
    """Read and validate the corrections of a file exported by the review page.

    Raises:
        InputError: the file is unreadable, not JSON, or an entry lacks a field.
    """
    return _corrections(_read(path), path)


def load_term_proposals(path: Path) -> list[TermProposal]:
    """The glossary terms proposed in a corrections file (none if it has no ``terms``).

    Raises:
        InputError: the file is not a corrections file, or a proposal lacks a field.
    """
    return _proposals(_read(path), path)


def _corrections(data: dict, path: Path) -> list[Correction]:
    entries = data.get("corrections", [] if "terms" in data else None)
    if not isinstance(entries, list):
        raise InputError(path, "not a corrections file (no 'corrections' list)")
    return [_correction(entry, number, path) for number, entry in enumerate(entries, 1)]


def _proposals(data: dict, path: Path) -> list[TermProposal]:

    entries = data.get("terms", [])
    if not isinstance(entries, list):
        raise InputError(path, "'terms' must be a list of proposed glossary terms")
    proposals = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(path, f"term {number} is not an object")
        missing = [k for k in ("target", "type", "lang", "form")
                   if not isinstance(entry.get(k), str) or not entry[k].strip()]
        if missing:
            raise InputError(path, f"term {number} has no {', '.join(missing)} (text expected)")
        if entry["type"] not in TERM_TYPES:
            raise InputError(path, f"term {number}: type must be one of {', '.join(TERM_TYPES)} "
                                   f"(got {entry['type'][:20]!r})")
        if not LANGUAGE_CODE.fullmatch(entry["lang"]):
            raise InputError(path, f"term {number}: lang {entry['lang'][:20]!r} is not a "
                                   "language code")
        note = entry.get("note", "")
        proposals.append(TermProposal(entry["target"].strip(), entry["type"],
                                      entry["lang"], " ".join(entry["form"].split()),
                                      note.strip() if isinstance(note, str) else ""))
    return proposals


def _read(path: Path) -> dict:
    try:
        data = json_without_surrogates(read_config_text(path))
    except json.JSONDecodeError as err:
        raise InputError(path, f"not a corrections file (not valid JSON: {err.msg})",
                         err.lineno) from err
    except (OSError, UnicodeDecodeError, RecursionError) as err:
        raise InputError(path, f"not a corrections file ({err})") from err
    if not isinstance(data, dict):
        raise InputError(path, "not a corrections file (no 'corrections' list)")
    return data


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
