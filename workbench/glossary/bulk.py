"""Many additions to a glossary in one pass: what ``glossary import`` applies.

``glossary add`` reads, validates and writes the whole glossary for its one entry; doing that
for each entry of a TBX made an import quadratic (each entry re-parsed and re-validated all
the glossary written before it: 1,000 entries took 108 s). A :class:`Draft` loads and
validates the glossary once, indexes its entries and the forms each owns, and applies each
addition in time that does not grow with the glossary: the entry is checked as loading
checks it (``store.check_entry``) and its forms against the index (a form belongs to one
entry). The texts it returns are validated as a whole once more before anything is written
(``edit.write_validated``), so an import never writes a glossary a run would refuse.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.glossary.edit import (
    clean_edit,
    default_file,
    entry_fields,
    extend_entry,
    parse_document,
    read_file,
)
from workbench.glossary.store import (
    LATIN,
    Term,
    check_entry,
    form_key,
    glossary_files,
    load_glossary,
)


@dataclass
class _File:
    """One glossary file: its text as read, and its tomlkit document once an edit needs it."""

    path: Path
    original: str
    document: Any = None
    entries: list[Any] = field(default_factory=list)  # as tomllib reads them, to try edits on
    added: list[dict[str, Any]] = field(default_factory=list)  # new entries, in order


@dataclass
class _Entry:
    """Where an entry is: its file, its position there (None: added by this draft), its table."""

    file: _File
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
        self._files: dict[str, _File] = {}
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
            extend_entry(self._table(entry), forms, note, forbidden)
            if entry.index is not None:
                entry.file.entries[entry.index] = trial
            outcome = "extended"
        self._claim(term, entry.where)
        return outcome

    def texts(self) -> dict[Path, str]:
        """The new text of every file an addition changed."""
        import tomlkit

        texts = {}
        for file in self._files.values():
            text = tomlkit.dumps(file.document) if file.document is not None else file.original
            if file.added:
                if text.strip():
                    text += "\n" if text.endswith("\n\n") else \
                        "\n\n" if not text.endswith("\n") else "\n"
                text += "\n".join(_entry_text(entry) for entry in file.added)
            if text != file.original:
                texts[file.path] = text
        return texts

    def _file(self, path: Path) -> _File:
        """The draft's one copy of a file (a link and the file it names are one file)."""
        key = os.path.realpath(path)
        if key not in self._files:
            text = read_file(path)
            entries = tomllib.loads(text).get("term", []) if text else []
            self._files[key] = _File(path, text, entries=entries)
        return self._files[key]

    def _terms_of(self, file: _File) -> Any:
        """The file's array of ``[[term]]`` tables, parsed with tomlkit on first use."""
        import tomlkit

        if file.document is None:
            file.document = parse_document(file.original, file.path)
        if file.document.get("term") is None:
            file.document.append("term", tomlkit.aot())
        return file.document["term"]

    def _table(self, entry: _Entry) -> Any:
        if entry.table is None:
            entry.table = self._terms_of(entry.file)[entry.index]
        return entry.table

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

    Its keys are known to be bare keys (``check_entry`` passed) and its values are text or
    lists of text, written as TOML basic strings.
    """
    def value(item: str | list[str]) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(map(_basic_string, item)) + "]"
        return _basic_string(item)

    return "[[term]]\n" + "".join(f"{key} = {value(item)}\n" for key, item in entry.items())


def _basic_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML also escapes DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
