"""Edit site rules files: one validated path for ``labels add/remove`` and the desk.

An edit is planned first (:func:`plan_add`, :func:`plan_remove`): the file is read, refused
if it is a link or a special file, parsed (a hand-edited problem is named with its line and
nothing is edited), changed with tomlkit (keeping people's comments and layout) and the new
text validated with the parser a run uses. :func:`write_edit` then replaces the file
atomically inside the labels folder, opened without following links. A preview plans and
never writes.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InputError, WorkbenchError
from workbench.files import read_config_text
from workbench.outputs.atomic import atomic_write
from workbench.records import Kind
from workbench.sites.rules import (
    RULE_KINDS,
    RuleSet,
    SiteRule,
    check_pattern,
    check_regular,
    line_key,
    normalize_site,
    parse_rules,
)
from workbench.text.entered import EnteredTextError, clean_entered_text

#: A rule table right under a key of the rule before: a blank line between rules reads better.
_RULE_AFTER_TEXT = re.compile(r"^([^#\s][^\n]*)\n\[\[rule\]\]", re.MULTILINE)
_HEADER = """\
# Site rules for {site}: the kind some lines of its pages must have, whatever the labeller
# says. Written by `workbench labels add` and the review desk; edit by hand as you like.
# Each [[rule]] has line = "..." (the exact line) or pattern = '...' (a regular expression
# the whole line must match), and a kind: body, title or caption (translated), or credit,
# byline, dateline, source or boilerplate (kept as they are). Nothing is ever dropped.
"""


@dataclass(frozen=True)
class Edit:
    """A planned change to one site's rules file, not written yet (:func:`write_edit`).

    ``outcome`` is ``added``, ``changed``, ``removed`` or ``unchanged``.
    """

    outcome: str
    site: str
    file: Path
    before: RuleSet
    after: RuleSet
    text: str
    rule: SiteRule | None = None  # the rule added, changed or removed


def rules_file(folder: Path, site: str) -> Path:
    """The file of a site's rules: ``labels/<site>.toml``.

    Raises:
        WorkbenchError: ``site`` is not a domain or a URL with one.
    """
    try:
        return folder / f"{normalize_site(site)}.toml"
    except ValueError as err:
        raise WorkbenchError(str(err)) from err


def plan_add(folder: Path, site: str, kind: str, line: str | None = None,
             pattern: str | None = None, note: str = "") -> Edit:
    """Plan giving a line (or the lines a pattern matches) of a site a kind; write nothing.

    The same line (or pattern) again with another kind changes that rule's kind, so a
    reviewer who changes their mind edits one rule, never adds a contradicting one.

    Raises:
        WorkbenchError: the site, kind, line or pattern is refused (the message says why),
            or the file is a link, special, or already malformed (``file:line: problem``).
    """
    kind = rule_kind(kind).value
    line, pattern = _subject(line, pattern)
    file = rules_file(folder, site)
    text, before = _current(folder, file)
    import tomlkit

    document = _document(text, file)
    entries = document.get("rule")
    if entries is None:
        entries = tomlkit.aot()
        document.append("rule", entries)
    found = _find(entries, line, pattern)
    if found is not None:
        entry = entries[found]
        if entry.get("kind") == kind and (not note or entry.get("note") == note):
            return Edit("unchanged", before.site, file, before, before, text,
                        before.rules[found])
        entry["kind"] = kind
        if note:
            entry["note"] = note
        outcome = "changed"
    else:
        entry = tomlkit.table()
        entry["line" if line is not None else "pattern"] = line if line is not None \
            else tomlkit.string(pattern or "", literal="'" not in (pattern or ""))
        entry["kind"] = kind
        if note:
            entry["note"] = note
        entries.append(entry)
        outcome, found = "added", len(entries) - 1
    new_text = _RULE_AFTER_TEXT.sub(r"\1\n\n[[rule]]", tomlkit.dumps(document)).rstrip("\n") + "\n"
    after = _validated(before.site, file, new_text)
    return Edit(outcome, before.site, file, before, after, new_text, after.rules[found])


def plan_remove(folder: Path, site: str, line: str | None = None,
                pattern: str | None = None) -> Edit:
    """Plan removing the rule for a line (or a pattern) of a site; write nothing.

    Raises:
        WorkbenchError: there is no such rule, or the file is refused as for an add.
    """
    line, pattern = _subject(line, pattern)
    file = rules_file(folder, site)
    text, before = _current(folder, file)
    document = _document(text, file)
    entries = document.get("rule") or []
    found = _find(entries, line, pattern)
    if found is None:
        shown = repr(line) if line is not None else f"pattern {pattern!r}"
        raise WorkbenchError(f"no rule for {shown} in {file}; `workbench labels list --site "
                             f"{before.site}` shows its rules")
    removed = before.rules[found]
    del entries[found]
    new_text = document.as_string()
    return Edit("removed", before.site, file, before, _validated(before.site, file, new_text),
                new_text, removed)


def write_edit(folder: Path, edit: Edit) -> None:
    """Write a planned edit: atomically, in the labels folder opened without following links.

    The folder is made on first use. The file is checked again just before: a link or a
    special file put there since the plan is refused, and nothing is written.

    Raises:
        WorkbenchError: the folder is a link or not a folder, or the file is refused.
        OutputError: the file cannot be written (the old one stays).
    """
    if edit.outcome == "unchanged":
        return
    if os.path.islink(folder):
        raise WorkbenchError(f"{folder} is a symbolic link; site rules are written only into "
                             "a real labels folder")
    with contextlib.suppress(FileExistsError):
        folder.mkdir(parents=True)
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise InputError(folder, f"cannot open the labels folder: {err.strerror or err}") \
            from err
    try:
        try:
            mode = os.stat(edit.file.name, dir_fd=fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            check_regular(edit.file)  # names what it is
            raise InputError(edit.file, "not a regular file")
        with atomic_write(edit.file, dir_fd=fd) as out:
            out.write(edit.text)
    finally:
        os.close(fd)


def _subject(line: str | None, pattern: str | None) -> tuple[str | None, str | None]:
    """The exact line (as stored) or the checked pattern of an edit: exactly one."""
    if (line is None) == (pattern is None):
        raise WorkbenchError("give the exact line (--line) or a pattern (--pattern), not "
                             "both" if line is not None else
                             "give the exact line (--line) or a pattern (--pattern)")
    if line is not None:
        try:
            return line_key(clean_entered_text(line, "the line")), None
        except EnteredTextError as err:
            raise WorkbenchError(str(err)) from err

    def fail(problem: str, key: str | None = None) -> WorkbenchError:
        return WorkbenchError(problem)

    return None, check_pattern(pattern, fail)


def _current(folder: Path, file: Path) -> tuple[str, RuleSet]:
    """A rules file's text and rules now (empty when not written yet), checked."""
    if os.path.islink(folder):
        raise WorkbenchError(f"{folder} is a symbolic link; site rules are written only into "
                             "a real labels folder")
    site = file.name.removesuffix(".toml")
    if not check_regular(file):
        return "", RuleSet.of(site, file, (), "")
    text = read_config_text(file)
    return text, RuleSet.of(site, file, parse_rules(text, file), text)


def _document(text: str, file: Path) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if not text.strip():
        text = _HEADER.format(site=file.name.removesuffix(".toml"))
    try:
        return tomlkit.parse(text)
    except (TOMLKitError, RecursionError) as err:
        raise InputError(file, f"not valid TOML: {err}") from err


def _find(entries: Any, line: str | None, pattern: str | None) -> int | None:
    """The position of the rule for this line (as rules compare lines) or this pattern."""
    for i, entry in enumerate(entries):
        written = entry.get("line")
        if line is not None and isinstance(written, str) and _same_line(written, line):
            return i
        if pattern is not None and entry.get("pattern") == pattern:
            return i
    return None


def _same_line(written: str, line: str) -> bool:
    try:
        return line_key(clean_entered_text(written)) == line
    except EnteredTextError:
        return False


def _validated(site: str, file: Path, text: str) -> RuleSet:
    """The rules of the edited text, parsed as a run will: an edit never leaves a bad file."""
    return RuleSet.of(site, file, parse_rules(text, file), text)


def rule_kind(kind: str) -> Kind:
    """A kind name as a rule kind.

    Raises:
        WorkbenchError: not one of :data:`RULE_KINDS`.
    """
    if kind not in {k.value for k in RULE_KINDS}:
        raise WorkbenchError(f"unknown kind {kind!r}; use one of "
                             f"{', '.join(k.value for k in RULE_KINDS)}")
    return Kind(kind)
