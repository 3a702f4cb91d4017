"""Edit glossary files safely: keep people's comments and layout, validate, write atomically.

An edit changes only the text of the ``[[term]]`` tables it touches (``bulk.FileText``), and
is validated as a run loads it before it replaces the file: it never leaves one a run refuses.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.glossary.bulk import FileText

from workbench.errors import InputError, OutputError, WorkbenchError
from workbench.glossary.store import (
    LATIN,
    Glossary,
    Term,
    form_key,
    is_clean,
    load_glossary,
    parse_glossary,
)
from workbench.outputs.atomic import atomic_write
from workbench.records import TERM_TYPES
from workbench.text.entered import EnteredTextError, clean_entered_text

DEFAULT_FILES = {"person": "people.toml", "title": "titles.toml", "body": "bodies.toml",
                 "document": "documents.toml", "place": "places.toml"}


@dataclass(frozen=True, slots=True)
class TermProposal:
    """A glossary term a reviewer proposed from the review page: a source form and its English."""

    target: str
    type: str
    lang: str
    form: str
    note: str = ""


def default_file(directory: Path, kind: str) -> Path:
    """The file a new term of a type goes to, e.g. ``glossary/people.toml``."""
    return directory / DEFAULT_FILES[kind]


@dataclass(frozen=True, slots=True)
class Added:
    """What ``add_term`` did: ``added``, ``extended`` or ``unchanged``, and the forms moved."""

    outcome: str
    moved: tuple[tuple[str, str, str], ...] = ()  # (the entry it left, language, form)


def add_term(file: Path, target: str, kind: str, forms: dict[str, list[str]],
             note: str = "", glossary: list[Path] | None = None, move: bool = False,
             forbidden: list[str] | None = None) -> Added:
    """Add a term, or add forms to the existing entry with the same target and type.

    ``glossary`` is the whole glossary the file belongs to (default: the file's folder); the
    edit is validated against all of it: a duplicate in another file is refused with both
    places, and nothing is written. A form another entry owns is refused, naming both, unless
    ``move`` takes it from that entry (which must keep a form). Returns ``"added"``,
    ``"extended"`` or ``"unchanged"``, with what was moved.

    Raises:
        WorkbenchError: the type is unknown, there is no form, a text breaks the rule for
            entered text (``text.entered``), the file is not one an edit may write
            (:func:`writable_file`), or the glossary would not be valid.
    """
    if kind not in TERM_TYPES:
        raise WorkbenchError(f"unknown type {kind!r}; use one of {', '.join(TERM_TYPES)}")
    if not forms:
        raise WorkbenchError("give at least one source form, e.g. --form ru='Лыонг Кыонг'")
    target, forms, forbidden = clean_edit(target, forms, forbidden or [])
    glossary = glossary if glossary is not None else [file.parent]
    writable_file(file, glossary)

    def add(full: bool) -> Added:
        files: dict[str, FileText] = {}

        def file_text(path: Path) -> FileText:
            key = os.path.realpath(path)
            if key not in files:
                files[key] = _file_text(path, full)
            return files[key]

        edited = file_text(file)
        moved = _take_forms(file_text, [file, *_files(glossary)], forms, target, kind) \
            if move else []
        index = next(iter(edited.find(target, kind)), None)
        if index is not None:
            outcome = "extended" if extend_entry(edited.table(index), forms, note, forbidden) \
                else "unchanged"
        else:
            edited.added.append(entry_fields(target, kind, forms, note, forbidden))
            outcome = "added"
        write_validated({f.path: text for f in files.values()
                         if (text := f.text()) != f.original or f is edited}, glossary)
        return Added(outcome, tuple(moved))

    return _tried(add, full=move)


class Unsure(Exception):
    """A text search may have missed an entry: read every entry of the file and edit again."""


def _tried(edit: Callable[[bool], Any], full: bool = False) -> Any:
    """``edit(False)``, a text search (``FileText.find``); if it raised, ``edit(True)``.

    The text search may miss an entry; the second reads every entry, and names a refusal.
    """
    if not full:
        try:
            return edit(False)
        except (Unsure, InputError) as err:  # raised before anything is written...
            if isinstance(err, OutputError):  # ...but this one
                raise
    return edit(True)


def _file_text(path: Path, full: bool) -> FileText:
    from workbench.glossary.bulk import FileText  # bulk builds on this module
    text = FileText(path, full)
    if full:  # a problem the file has is named where it is, before any edit
        parse_glossary(text.original, path)
    return text


def _none_left(target: str, kind: str | None) -> Callable[[Glossary], None]:
    """A check of the edited glossary: no entry has the target (and type), else one was missed."""
    def check(validated: Glossary) -> None:
        if any(t.target == target and kind in (None, t.type) for t in validated.terms):
            raise Unsure(f"another entry has the target {target!r}")
    return check


def clean_edit(target: str, forms: dict[str, list[str]], forbidden: list[str]
               ) -> tuple[str, dict[str, list[str]], list[str]]:
    """An edit's English and forms under the rule for entered text (``text.entered``).

    Every way into the glossary (``glossary add``/``rename``/``import``, the desk's term
    form, reviewers' proposals) passes here, so a target of zero-width spaces or one holding
    U+202E is refused in one line, and a form with a soft hyphen is stored as it matches.

    Raises:
        WorkbenchError: a text holds what the rule refuses, or nothing visible.
    """
    try:
        return (clean_entered_text(target, "the English (target)"),
                {lang: [clean_entered_text(form, f"the {lang} form") for form in values]
                 for lang, values in forms.items()},
                [clean_entered_text(text, "a forbidden rendering") for text in forbidden])
    except EnteredTextError as err:
        raise WorkbenchError(str(err)) from err


def same_target(written: object, target: str) -> bool:
    """Whether a target as written in a file is ``target`` (as loading cleans it)."""
    if not isinstance(written, str):
        return False
    try:
        return written == target or (not is_clean(written)
                                     and clean_entered_text(written) == target)
    except EnteredTextError:
        return False


def extend_entry(entry: MutableMapping[str, Any], forms: dict[str, list[str]], note: str,
                 forbidden: list[str]) -> bool:
    """Add forms, a note and forbidden renderings to an entry (a table); return if it changed.

    Works on a tomlkit table (keeping its layout) and on a plain dict alike (an import's trial).
    """
    changed = False
    for lang, values in forms.items():
        changed = _append(entry, lang, values) or changed
    if note and entry.get("note") != note:
        entry["note"], changed = note, True
    return _append(entry, "forbidden", forbidden) or changed


def _append(entry: MutableMapping[str, Any], key: str, values: list[str]) -> bool:
    current = entry.get(key, [])
    known = [current] if isinstance(current, str) else list(current)
    if new := [v for v in values if v not in known]:
        entry[key] = known + new
    return bool(new)


def entry_fields(target: str, kind: str, forms: dict[str, list[str]], note: str,
                 forbidden: list[str]) -> dict[str, Any]:
    """A new entry's keys and values, in the order people write them."""
    return {"target": target, "type": kind, **({"note": note} if note else {}),
            **{lang: list(values) for lang, values in forms.items()},
            **({"forbidden": list(forbidden)} if forbidden else {})}


#: The keys of an entry that are not source forms.
_NOT_FORMS = frozenset({"target", "type", "note", "pattern", "forbidden"})


def _take_forms(file_text: Callable[[Path], FileText], files: list[Path],
                forms: dict[str, list[str]], target: str, kind: str
                ) -> list[tuple[str, str, str]]:
    """Remove ``forms`` from every other entry that owns them; return (entry, lang, form)."""
    wanted = {(lang, form_key(form)) for lang, values in forms.items() for form in values}
    moved = []
    for path in dict.fromkeys(files):
        text = file_text(path)
        for index, entry in enumerate(text.entries):  # checked: every form is text
            if entry.get("target") == target and entry.get("type") == kind:
                continue
            table = None
            for lang in [k for k in entry if k not in _NOT_FORMS]:
                values = [entry[lang]] if isinstance(entry[lang], str) else entry[lang]
                kept = [v for v in values if not any(
                    form_key(v) == key and (lang == other or LATIN in (lang, other))
                    for other, key in wanted)]
                if len(kept) == len(values):
                    continue
                moved += [(str(entry["target"]), lang, v) for v in values if v not in kept]
                table = text.table(index)
                table[lang] = kept
                if not kept:
                    del table[lang]
            if table is not None and not any(k not in _NOT_FORMS or k == "pattern"
                                             for k in table):
                raise WorkbenchError(f"moving the forms would leave {entry['target']!r} "
                                     f"({path}) with none; remove it with glossary remove")
    return moved


@dataclass(frozen=True, slots=True)
class ProposalOutcome:
    """What became of one proposed term: ``added``, ``extended`` or ``unchanged``, or refused."""

    proposal: TermProposal
    outcome: str = ""
    refused: WorkbenchError | None = None  # why it was not added


def add_proposals(proposals: Iterable[TermProposal], glossary: Path) -> list[ProposalOutcome]:
    """Add reviewers' terms as ``glossary add`` would, each on its own (a refusal, with why)."""
    outcomes = []
    for proposal in proposals:
        file = default_file(glossary, proposal.type) if glossary.is_dir() or \
            not glossary.suffix else glossary
        try:
            outcomes.append(ProposalOutcome(proposal, add_term(
                file, proposal.target, proposal.type, {proposal.lang: [proposal.form]},
                proposal.note, [glossary, file]).outcome))
        except WorkbenchError as err:
            outcomes.append(ProposalOutcome(proposal, refused=err))
    return outcomes


def writable_file(file: Path, glossary: Iterable[Path]) -> Path:
    """The file an edit of ``file`` writes: the file, or the file its symbolic link names.

    One rule for every writer (add, rename, remove, import, the desk's save and undo): only
    inside the glossary folder (each folder in ``glossary``, or each file's folder). A link
    is written through (it stays a link) when what it names is inside too, else refused.

    Raises:
        WorkbenchError: the file, or the file its link names, is outside the glossary folder.
    """
    glossary = list(glossary)
    folders = [g for g in glossary if g.is_dir()] or [Path(os.path.abspath(g)).parent
                                                      for g in glossary]
    where = Path(os.path.realpath(file))
    linked = os.path.islink(file)
    for folder in folders:
        root = Path(os.path.realpath(folder))
        if root == where.parent or root in where.parents:
            continue
        if linked:
            raise WorkbenchError(f"{file} is a symbolic link to {where}, which is outside the "
                                 f"glossary folder {folder}; glossary edits write only inside "
                                 "it (put the file itself there, or use --glossary FOLDER)")
        raise WorkbenchError(f"{file} is outside the glossary folder {folder}; give a file "
                             "inside it, or --glossary FOLDER for another glossary")
    return where if linked else file


def rename_term(paths: list[Path], old: str, new: str, kind: str | None = None) -> Term:
    """Give the entry whose English is ``old`` the English ``new``; return it as it was.

    Its forms stay; the next run re-translates exactly the segments that hold the entry.

    Raises:
        WorkbenchError: no such entry (naming those differing only in case and accents),
            several (give the type), or ``new`` is taken.
    """
    if new.strip():
        new = clean_edit(new, {}, [])[0]
    if not new.strip() or new != " ".join(new.split()):
        raise WorkbenchError(f"the new English {new!r} must be one line of text without "
                             "leading, trailing or doubled spaces")
    old = _as_loaded(old)

    def rename(full: bool) -> Term:
        found = [(text, i) for text in (_file_text(f, full) for f in _files(paths))
                 for i in text.find(old, kind)]
        if not found:
            raise no_entry(paths, old) if full else Unsure(old)
        if len(found) > 1:
            kinds = ", ".join(str(t.entry(i).get("type")) for t, i in found)
            raise WorkbenchError(f"{len(found)} entries have the target {old!r} ({kinds}); "
                                 "give --type")
        text, index = found[0]
        term = text.term(index)
        text.table(index)["target"] = new
        write_validated({text.path: text.text()}, paths,
                        None if full else _none_left(old, kind))
        return term

    return _tried(rename)


def remove_term(paths: list[Path], target: str, kind: str | None = None) -> list[Term]:
    """Remove every entry with this target (and type, if given); return what was removed.

    An entry goes with the comment lines right above and after it; the rest stays byte for byte.
    """
    target = _as_loaded(target)

    def remove(full: bool) -> list[Term]:
        removed: list[Term] = []
        texts: dict[Path, str] = {}
        for text in (_file_text(f, full) for f in _files(paths)):
            if doomed := text.find(target, kind):
                removed += [text.term(i) for i in reversed(doomed)]
                texts[text.path] = text.remove(doomed)
        if not full and not texts:
            raise Unsure(f"no entry quotes {target!r}: read every entry")
        if texts:
            write_validated(texts, paths, None if full else _none_left(target, kind))
        return removed

    return _tried(remove)


def no_entry(paths: list[Path], target: str) -> WorkbenchError:
    """No entry has this target: the error names those that differ only in case and accents."""
    from workbench.glossary.match import fold
    try:
        near = [f"{t.target!r} ({t.type})" for t in load_glossary(_files(paths)).terms
                if fold(" ".join(t.target.split())) == fold(" ".join(target.split()))]
    except WorkbenchError:  # a glossary a run would refuse: the run names why
        near = []
    return WorkbenchError(f"no glossary entry with target {target!r}"
                          + (f"; did you mean {' or '.join(near)}?" if near else ""))


def _as_loaded(target: str) -> str:
    """A target given to find an entry, as loading stores targets (``text`` if it cannot be)."""
    try:
        return clean_entered_text(target)
    except EnteredTextError:
        return target


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    return [f for f in files if f.exists()]


def write_validated(texts: dict[Path, str], glossary: list[Path],
                    check: Callable[[Glossary], None] | None = None) -> None:
    """Validate the whole glossary with the new texts first; write only if all of it holds.

    ``check`` may refuse the validated glossary too. Each file is written as
    :func:`writable_file` says. Under a preview (``preview.edited_glossary``) nothing is.
    """
    from workbench.glossary.preview import previewing

    validated = load_glossary([p for p in glossary if p.exists()], replaced=texts)
    if check is not None:
        check(validated)
    if (previewed := previewing()) is not None:
        previewed.append(validated)
        return
    written = {file: writable_file(file, glossary) for file in texts}  # all, before any write
    for file, text in texts.items():
        with atomic_write(written[file]) as out:
            out.write(text)


#: Put glossary files back as they were (an undo), validated like any edit first.
restore_files = write_validated
