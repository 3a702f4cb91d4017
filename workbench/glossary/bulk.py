"""Glossary files edited as text, one ``[[term]]`` table at a time; many additions in one pass.

tomlkit keeps a file's comments and layout, but parsing and rendering a whole file with it
grows faster than the file (one ``glossary add`` into 20,000 entries took 15 s). A
:class:`FileText` finds the tables with a line scan; an edit parses and renders only the
lines of the table it changes (its header to its last key) and splices them back, so every
other byte stays as it was. A file a scan cannot read safely (a multi-line string, a header
the scan misses) is parsed whole, as before.

A :class:`Draft` (``glossary import``) loads and validates the glossary once, indexes its
entries and the forms each owns, and applies each addition in time that does not grow with
the glossary: the entry is checked as loading checks it (``store.check_entry``) and its forms
against the index. Applying each entry as ``glossary add`` does made an import quadratic
(1,000 entries took 108 s). The texts are validated as a whole once more before anything is
written (``edit.write_validated``), so an import never writes a glossary a run would refuse.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tomlkit

from workbench.errors import InputError
from workbench.files import read_config_text
from workbench.glossary.edit import (
    Unsure,
    clean_edit,
    default_file,
    entry_fields,
    extend_entry,
    same_target,
)
from workbench.glossary.store import (
    LATIN,
    Term,
    check_entry,
    form_key,
    glossary_files,
    load_glossary,
    parse_glossary,
    raw_entries,
    table_starts,
)

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def parse_document(text: str, file: Path) -> tomlkit.TOMLDocument:
    """A glossary file's text as a tomlkit document, which keeps its comments and layout."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except (TOMLKitError, RecursionError) as err:
        raise InputError(file, f"not valid TOML: {err}") from err


def _kind(line: str) -> str:
    stripped = line.strip()
    return "blank" if not stripped else "comment" if stripped.startswith("#") else "content"


def _run_above(text: str, floor: int, pos: int, kinds: str) -> int:
    """The start of the lines of ``kinds`` right above ``pos`` (a line start), not below floor."""
    while pos > floor:
        start = max(text.rfind("\n", floor, pos - 1) + 1, floor)
        if _kind(text[start:pos]) not in kinds:
            break
        pos = start
    return pos


def _run_below(text: str, pos: int, ceiling: int, kinds: str) -> int:
    """The end of the lines of ``kinds`` from ``pos`` (a line start) on, not past ceiling."""
    while pos < ceiling:
        end = text.find("\n", pos, ceiling)
        end = ceiling if end < 0 else end + 1
        if _kind(text[pos:end]) not in kinds:
            break
        pos = end
    return pos


def drop_table(text: str, starts: list[int], index: int) -> str:
    """``text`` without table ``index``, its comments and the blank lines after it.

    Its comments are the comment lines right above its header and right after its last key;
    a comment block that opens the file is the file's, and stays.
    """
    start, end = starts[index], starts[index + 1]
    own = _run_above(text, start, end, "blank comment")  # past its last key
    next_lead = _run_above(text, own, end, "comment") if index + 2 < len(starts) else end
    stop = _run_below(text, own, next_lead, "comment")
    floor = _run_above(text, starts[index - 1], start, "blank comment") if index else 0
    begin = _run_above(text, floor, start, "comment")
    begin = start if index == 0 and begin == 0 else begin
    after = _run_below(text, stop, len(text), "blank")
    if after == len(text):  # the last table: the blank lines before it go instead
        begin = _run_above(text, 0, begin, "blank")
    return text[:begin] + text[after:]


class FileText:
    """One glossary file, edited table by table (see the module's docstring).

    ``full``: the file is parsed whole with tomllib first (tables are found by the scan only
    if it finds as many). Otherwise (an edit's first try) only the tables an edit names are
    parsed, and :class:`Unsure` is raised wherever the scan could be wrong.
    """

    def __init__(self, path: Path, full: bool = True) -> None:
        """Read the file (a missing one is empty) and find its tables.

        Raises:
            InputError: it is not TOML or not shaped as a glossary (file and line).
        """
        self.path = path
        self.original = read_config_text(path) if path.exists() else ""
        multi_line = '"""' in self.original or "'''" in self.original
        self.full = full or multi_line
        self._all = raw_entries(self.original, path) if self.full else None
        self._some: dict[int, dict[str, Any]] = {}  # tables read one by one (not full)
        self.starts: list[int] | None = [*table_starts(self.original), len(self.original)]
        if multi_line or (self._all is not None and len(self.starts) != len(self._all) + 1):
            self.starts = None
        self.added: list[dict[str, Any]] = []  # new entries, appended in order
        self._edited: dict[int, tuple[Any, str]] = {}  # index: (its document, lines after)
        self._whole: Any = None  # the file as one tomlkit document, if a scan cannot do

    @property
    def entries(self) -> list[dict[str, Any]]:
        """Every table as tomllib reads it (``full`` only)."""
        if self._all is None:
            raise Unsure(f"{self.path}: a first try reads only the tables it names")
        return self._all

    def entry(self, index: int) -> dict[str, Any]:
        """Table ``index`` as tomllib reads it."""
        if self._all is not None:
            return self._all[index]
        if index not in self._some:
            assert self.starts is not None
            try:
                tables = tomllib.loads(self._span(index)).get("term")
            except (tomllib.TOMLDecodeError, RecursionError, ValueError) as err:
                raise Unsure(f"{self.path}: table {index} does not parse alone") from err
            if not isinstance(tables, list) or len(tables) != 1:
                raise Unsure(f"{self.path}: table {index} is not one table")
            self._some[index] = tables[0]
        return self._some[index]

    def find(self, target: str, kind: str | None) -> list[int]:
        """The tables with this target (as loading cleans it), and type if given.

        Not ``full``: only the tables that quote the target are read.
        """
        if self.full:
            candidates: Any = range(len(self.entries))
        elif any(c in target for c in "\"'\\"):  # may be written with escapes
            raise Unsure(f"{target!r} is looked for in every table")
        else:
            assert self.starts is not None
            candidates = set()
            for quoted in (f'"{target}"', f"'{target}'"):
                at = self.original.find(quoted)
                while at >= 0 and len(candidates) <= 100:
                    candidates.add(bisect.bisect_right(self.starts, at) - 1)
                    at = self.original.find(quoted, at + 1)
            if len(candidates) > 100:
                raise Unsure(f"{target!r} is quoted too often to read each table apart")
            candidates.discard(-1)  # before the first table: a comment
        return [i for i in sorted(candidates) if same_target(self.entry(i).get("target"),
                                                               target)
                and kind in (None, self.entry(i).get("type"))]

    def term(self, index: int) -> Term:
        """Table ``index`` as loading reads it, with its line.

        Raises:
            InputError: the entry is not valid (named with its line).
        """
        try:
            term = check_entry(self.entry(index), self.path)
        except InputError:
            parse_glossary(self.original, self.path)
            raise
        line = self.original.count("\n", 0, self.starts[index]) + 1 if self.starts \
            else parse_glossary(self.original, self.path)[index].line
        return replace(term, line=line)

    def table(self, index: int) -> Any:
        """Table ``index`` as tomlkit's: change it in place, and :meth:`text` has the change."""
        if self.starts is not None and index not in self._edited:
            span = self._span(index)
            own = _run_above(span, 0, len(span), "blank comment")  # header to last key
            document = parse_document(span[:own] + ("" if span[:own].endswith("\n") else "\n"),
                                      self.path)
            tables = document.get("term")
            if len(document) == 1 and tables is not None and len(tables) == 1 and \
                    tables[0].unwrap() == self.entry(index):
                self._edited[index] = (document, span[own:])
            elif not self.full:
                raise Unsure(f"{self.path}: table {index} is not where a scan found it")
            elif self._edited:
                raise RuntimeError(f"{self.path}: table {index} is not where a scan found it")
            else:  # a layout the scan misread: the file is parsed whole
                self.starts = None
        if self.starts is None:
            if self._whole is None:
                self._whole = parse_document(self.original, self.path)
            return self._whole["term"][index]
        return self._edited[index][0]["term"][0]

    def remove(self, indexes: list[int]) -> str:
        """The file's text without these tables (and nothing else changed or added)."""
        if self.starts is None:
            document = parse_document(self.original, self.path)
            for index in sorted(indexes, reverse=True):
                del document["term"][index]
            return document.as_string()
        text = self.original
        for index in sorted(indexes, reverse=True):
            self.entry(index)  # one table: the scan found where it starts and ends
            text = drop_table(text, [*table_starts(text), len(text)], index)
        return text

    def text(self) -> str:
        """The file's text with every edit, and the new entries after it."""
        if self._whole is not None:
            text = self._whole.as_string()
        elif self._edited:
            assert self.starts is not None
            pieces, at = [], 0
            for index in sorted(self._edited):
                document, after = self._edited[index]
                pieces += [self.original[at:self.starts[index]], document.as_string(), after]
                at = self.starts[index + 1]
                if at == len(self.original) and not after and self.original[-1:] != "\n":
                    pieces[-2] = pieces[-2].removesuffix("\n")  # the file ended without one
            text = "".join(pieces) + self.original[at:]
        else:
            text = self.original
        if not self.added:
            return text
        if text.strip() and not text.endswith("\n\n"):
            text += "\n" if text.endswith("\n") else "\n\n"
        return text + "\n".join(_entry_text(entry) for entry in self.added)

    def _span(self, index: int) -> str:
        assert self.starts is not None
        return self.original[self.starts[index]:self.starts[index + 1]]


@dataclass
class _Entry:
    """Where an entry is: its file, its position there (None: added by this draft), its table."""

    file: FileText
    index: int | None
    where: str  # for messages: file:line, or the file it is being added to
    table: Any = None  # its tomlkit table once edited; a plain dict for a new entry


@dataclass(frozen=True)
class _Claim:
    """A form an entry owns, under one language key."""

    lang: str
    owner: str
    target: str
    where: str


class Draft:
    """A glossary folder in memory, to which additions are applied one at a time."""

    def __init__(self, folder: Path) -> None:
        """Load and validate the folder's glossary once.

        Raises:
            InputError: a glossary file cannot be read or is not valid (file and line).
        """
        self.folder = folder
        self._files: dict[str, FileText] = {}
        self._entries: dict[str, _Entry] = {}
        self._claims: dict[str, list[_Claim]] = {}
        paths = glossary_files([folder]) if folder.is_dir() else []
        positions: dict[str, int] = {}
        for term in load_glossary(paths).terms if paths else ():
            file = self._file(Path(term.file))
            index = positions[term.file] = positions.get(term.file, -1) + 1
            self._entries[term.id] = _Entry(file, index, f"{term.file}:{term.line}")
            self._claim(term, self._entries[term.id].where)

    def add(self, target: str, kind: str, forms: dict[str, list[str]], note: str = "",
            forbidden: list[str] | None = None) -> str:
        """Add an entry, or extend the entry with this target and type in whichever file.

        Returns ``"added"``, ``"extended"`` or ``"unchanged"``. A refused addition changes
        nothing.

        Raises:
            WorkbenchError: a text breaks the rule for entered text, the entry is not valid
                (unknown language key...), or one of its forms belongs to another entry.
        """
        target, forms, forbidden = clean_edit(target, forms, forbidden or [])
        entry = self._entries.get(f"{kind}:{target}")
        if entry is None:
            path = default_file(self.folder, kind)
            trial = entry_fields(target, kind, forms, note, forbidden)
        else:
            path = entry.file.path
            plain = entry.file.entries[entry.index] if entry.index is not None else entry.table
            trial = {k: list(v) if isinstance(v, list) else v for k, v in plain.items()}
            if not extend_entry(trial, forms, note, forbidden):
                return "unchanged"
        term = check_entry(trial, path)
        self._check_owners(term, path)
        if entry is None:
            file = self._file(path)
            entry = _Entry(file, None, f"{path}, added by this import", trial)
            file.added.append(trial)
            self._entries[term.id] = entry
            outcome = "added"
        else:
            if entry.table is None:
                entry.table = entry.file.table(entry.index)
            extend_entry(entry.table, forms, note, forbidden)
            if entry.index is not None:
                entry.file.entries[entry.index] = trial
            outcome = "extended"
        self._claim(term, entry.where)
        return outcome

    def texts(self) -> dict[Path, str]:
        """The new text of every file an addition changed."""
        return {file.path: text for file in self._files.values()
                if (text := file.text()) != file.original}

    def _file(self, path: Path) -> FileText:
        """The draft's one copy of a file (a link and the file it names are one file)."""
        key = os.path.realpath(path)
        if key not in self._files:
            self._files[key] = FileText(path)
        return self._files[key]

    def _claim(self, term: Term, where: str) -> None:
        for lang, forms in term.forms.items():
            for form in forms:
                claims = self._claims.setdefault(form_key(form), [])
                claim = _Claim(lang, term.id, term.target, where)
                if claim not in claims:
                    claims.append(claim)

    def _check_owners(self, term: Term, path: Path) -> None:
        """Refuse a form another entry owns, as loading would (``latin`` clashes with all)."""
        for lang, forms in term.forms.items():
            for form in forms:
                for claim in self._claims.get(form_key(form), ()):
                    if claim.owner != term.id and (lang == claim.lang
                                                   or LATIN in (lang, claim.lang)):
                        raise InputError(path, f"form {form!r} ({lang}) of {term.target!r} is "
                                               f"also a form of {claim.target!r} "
                                               f"({claim.where}); a form belongs to one entry "
                                               "(glossary add --move moves it)")


def _entry_text(entry: dict[str, Any]) -> str:
    """A new entry as a ``[[term]]`` table, as tomlkit writes one, without its cost per key.

    Its values are text or lists of text, written as TOML basic strings; a key that is not a
    bare key is quoted (loading then names it as an unknown key, with its line).
    """
    def value(item: str | list[str]) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(map(_basic_string, item)) + "]"
        return _basic_string(item)

    return "[[term]]\n" + "".join(f"{k if _BARE_KEY.fullmatch(k) else _basic_string(k)} = "
                                   f"{value(item)}\n" for k, item in entry.items())


def _basic_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML also escapes DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
