"""Reviewer corrections: approved English that wins over machine translation from then on.

The review page exports a JSON file of edited sentences; ``workbench corrections apply``
stores them in the cache as approved translations, keyed by language pair and source text
(not by engine or glossary), so they survive model upgrades and glossary edits and are used
in every later run and export without loading a model. The same file carries the glossary
terms a reviewer proposed (``terms``), which go into the glossary like ``glossary add``. A
file of one correction object per line (``.jsonl``, ``.ndjson``) is read line by line: a
line that cannot be read is refused on its own and the others go on.

Entries are read as written: the English is checked where corrections enter
(:mod:`workbench.review.apply`), the same for every format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from workbench.errors import InputError
from workbench.files import open_regular, read_config_text
from workbench.glossary.edit import TermProposal
from workbench.records import TERM_TYPES, Correction
from workbench.review.reviewed import LANGUAGE_CODE, RefusedUnit, ReviewedUnit
from workbench.text.normalize import parse_json, replace_surrogates

#: Names of files that hold one correction per line.
JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})
#: A longer line of a JSON Lines file is refused without being held (a correction is short).
MAX_LINE_BYTES = 1024 * 1024


@dataclass
class ReviewFile:
    """A review page's file: its corrections (as units) and proposed glossary terms."""

    units: list[ReviewedUnit] = field(default_factory=list)
    #: (place, proposal): the place names the term for messages.
    terms: list[tuple[str, TermProposal]] = field(default_factory=list)


def read_review_file(path: Path) -> ReviewFile:
    """A review-page file's corrections and proposed glossary terms, read and checked once.

    Raises:
        InputError: the file is unreadable, not JSON, or an entry lacks a field.
    """
    data = _read(path)
    units = [ReviewedUnit(correction, True, f"{path}: correction {number}", own=True)
             for number, correction in enumerate(_corrections(data, path), 1)]
    return ReviewFile(units, [(f"{path}: term {number}", proposal)
                              for number, proposal in enumerate(_proposals(data, path), 1)])


def is_json_lines(path: Path) -> bool:
    """Whether a file is read as one correction per line (by its name)."""
    return path.suffix.lower() in JSON_LINES_SUFFIXES


def read_json_lines(path: Path) -> Iterator[ReviewedUnit | RefusedUnit]:
    """The corrections of a JSON Lines file, streamed; a line that cannot be read is refused.

    Each line is a correction object as in the review pages' ``corrections`` list. A line
    that is not UTF-8, not JSON (a number of over 4,300 digits, nesting past the stack) or
    lacks a field comes back as a :class:`RefusedUnit` naming ``file:line``.

    Raises:
        InputError: the file cannot be opened or read.
    """
    with open_regular(path) as handle:
        try:
            for number, raw in _lines(handle):
                place = f"{path}:{number}"
                if raw is None:
                    yield RefusedUnit(place, f"longer than {MAX_LINE_BYTES:,} bytes")
                elif raw.strip():
                    yield _json_line(raw, number == 1, place, path)
        except OSError as err:
            raise InputError(path, f"cannot read: {err.strerror or err}") from err


def _lines(handle: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines, each read to at most MAX_LINE_BYTES (None: the line was longer)."""
    number = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield number, raw
            continue
        while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass  # skip the rest of the long line without holding it
        yield number, None


def _json_line(raw: bytes, first: bool, place: str, path: Path) -> ReviewedUnit | RefusedUnit:
    """One line of a JSON Lines file as a correction, or why it is refused."""
    try:
        entry = parse_json(raw.decode("utf-8-sig" if first else "utf-8"))
    except UnicodeDecodeError as err:
        return RefusedUnit(place, f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column "
                                  f"{err.start + 1})")
    except json.JSONDecodeError as err:
        return RefusedUnit(place, f"not valid JSON: {err.msg} (column {err.colno})")
    try:
        return ReviewedUnit(_correction(entry, "entry", path), True, place, own=True)
    except _EntryError as err:
        return RefusedUnit(place, str(err))


@dataclass(frozen=True)
class ReviewFileInfo:
    """What a file says about itself before anything in it is stored."""

    run_dir: Path | None = None  # the run folder the review pages were made for
    proposed_terms: int = 0


#: Where OmegaT keeps a project's translations (its memory), inside the project folder.
OMEGAT_MEMORY = Path("omegat", "project_save.tmx")


def review_source(path: Path) -> Path:
    """The file to read for ``path``: itself, or an OmegaT project folder's memory.

    Raises:
        InputError: a folder that is not an OmegaT project, or one OmegaT has not saved.
    """
    if not path.is_dir():
        return path
    if (path / OMEGAT_MEMORY).is_file():
        return path / OMEGAT_MEMORY
    if (path / "omegat.project").is_file():
        raise InputError(path, f"an OmegaT project without {OMEGAT_MEMORY} yet: open it in "
                               "OmegaT, translate, and save (Ctrl+S), then apply it again")
    inside = sorted(p.parent for p in path.glob("*/omegat.project"))
    raise InputError(path, "a folder, not an OmegaT project (no omegat.project); give "
                           "corrections files or OmegaT project folders" +
                     (f", e.g. {', '.join(str(p) for p in inside[:5])}" if inside else ""))


def describe_review_file(path: Path) -> ReviewFileInfo:
    """The run a ``corrections.json`` names, and whether it proposes glossary terms.

    The review pages write ``"run": "STARTED|OUT_DIR"``; an OmegaT project folder of
    ``export --format omegat`` (``OUT_DIR/omegat/xx-en``) is in its run's folder. Other CAT
    files (XLIFF, TMX) and JSON Lines name no run, and are not read here (a 60 MB XLIFF is
    streamed once, by apply).
    """
    if path.is_dir():
        run = path.resolve().parent.parent
        return ReviewFileInfo(run if (run / "run.json").is_file() else None)
    try:
        if is_json_lines(path) or not looks_like_json(path):
            return ReviewFileInfo()
        data = _read(path)
    except InputError:
        return ReviewFileInfo()  # refused in one line by apply_file
    run = data.get("run")
    run_dir = Path(run.split("|", 1)[1]) if isinstance(run, str) and "|" in run else None
    terms = data.get("terms")
    return ReviewFileInfo(run_dir, len(terms) if isinstance(terms, list) else 0)


def looks_like_json(path: Path) -> bool:
    """Whether a file's first visible character opens JSON (else it is read as XML).

    Raises:
        InputError: the file cannot be read.
    """
    return _head(path).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _head(path: Path, size: int = 4096) -> bytes:
    with open_regular(path) as handle:
        try:
            return handle.read(size)
        except OSError as err:
            raise InputError(path, f"cannot read: {err.strerror or err}") from err


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


class _EntryError(ValueError):
    """One entry's field is missing or of the wrong type."""


def _corrections(data: dict, path: Path) -> list[Correction]:
    entries = data.get("corrections", [] if "terms" in data else None)
    if not isinstance(entries, list):
        raise InputError(path, "not a corrections file (no 'corrections' list)")
    corrections = []
    for number, entry in enumerate(entries, 1):
        try:
            corrections.append(_correction(entry, f"correction {number}", path))
        except _EntryError as err:
            raise InputError(path, str(err)) from err
    return corrections


def _text(value: str) -> str:
    """Text that is not a person's English: a lone surrogate becomes U+FFFD, as on input."""
    return replace_surrogates(value)[0]


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
                                   f"(got {_text(entry['type'][:20])!r})")
        if not LANGUAGE_CODE.fullmatch(entry["lang"]):
            raise InputError(path, f"term {number}: lang {_text(entry['lang'][:20])!r} is not a "
                                   "language code")
        note = entry.get("note", "")
        # Target, form and note are a person's text: checked where corrections enter.
        proposals.append(TermProposal(entry["target"].strip(), entry["type"], entry["lang"],
                                      " ".join(entry["form"].split()),
                                      note.strip() if isinstance(note, str) else ""))
    return proposals


def _read(path: Path) -> dict:
    try:
        data = parse_json(read_config_text(path))
    except json.JSONDecodeError as err:
        hint = "; a file of one correction per line is read as such when named .jsonl" \
            if err.msg == "Extra data" else ""
        raise InputError(path, f"not a corrections file (not valid JSON: {err.msg}{hint})",
                         err.lineno) from err
    if not isinstance(data, dict):
        raise InputError(path, "not a corrections file (no 'corrections' list)")
    return data


def _correction(entry: object, label: str, path: Path) -> Correction:
    """Check one entry's fields and types; the message names the entry and the field.

    The English (``tgt``) is kept as written; the source and article lose lone surrogates
    (U+FFFD, as article text does on input, so the source still matches).
    """
    if not isinstance(entry, dict):
        raise _EntryError(f"{label} is not an object")
    missing = [k for k in ("src_lang", "tgt_lang", "src", "tgt")
               if not isinstance(entry.get(k), str) or not entry[k].strip()]
    if missing:
        raise _EntryError(f"{label} has no {', '.join(missing)} (text expected)")
    for key in ("src_lang", "tgt_lang"):
        if not LANGUAGE_CODE.fullmatch(entry[key]):
            raise _EntryError(f"{label}: {key} {_text(entry[key][:20])!r} is not a language "
                              "code")
    index = entry.get("index", -1)
    if isinstance(index, bool) or not isinstance(index, int) or not -1 <= index < 2**31:
        raise _EntryError(f"{label}: index must be a segment number (got "
                          f"{_text(str(index)[:20])!r})")
    article = entry.get("article", "")
    if not isinstance(article, str):
        raise _EntryError(f"{label}: article must be text")
    return Correction(entry["src_lang"], entry["tgt_lang"], _text(entry["src"]),
                      entry["tgt"].strip(), _text(article), index)
