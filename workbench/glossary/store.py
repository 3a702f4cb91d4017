"""Glossary files: TOML that people edit by hand and review in diffs, one entry per concept.

Each ``glossary/*.toml`` file holds ``[[term]]`` tables::

    [[term]]
    target = "Lương Cường"          # the English, exactly as it must appear
    type = "person"                 # person, title, body, document or place
    note = "State President"         # optional
    latin = ["Luong Cuong"]         # forms for every Latin-script language
    ru = ["Лыонг Кыонг"]            # forms for one language (base forms; inflections match)

Document numbers are patterns: ``target = "Resolution No. {number}"`` with
``pattern.de = 'Resolution\\s+Nr\\.\\s*(?P<number>...)'``. Loading validates everything and
names the file and line of every problem; a glossary with any problem is not used at all.
"""

from __future__ import annotations

import hashlib
import re
import threading
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from workbench.errors import InputError
from workbench.files import read_config_text
from workbench.records import TERM_TYPES
from workbench.text.entered import EnteredTextError, clean_entered_text

LATIN = "latin"
_LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}$")
_KNOWN_KEYS = {"target", "type", "note", "pattern", "forbidden"}
#: A ``[[term]]`` header line, however TOML lets it be written (a comment may follow).
_HEADER = re.compile(r"""^[ \t]*\[\[[ \t]*(?:term|"term"|'term')[ \t]*\]\][ \t]*(?:#.*)?\r?$""",
                     re.MULTILINE)
#: What no target or form may hold: it would break every listing and output line.
_LINE_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Seconds one pattern may spend on one sentence; past that it is a pattern that backtracks
#: catastrophically (``(a|aa)+$``), and the glossary is refused rather than the run hanging.
PATTERN_TIMEOUT = 0.25
#: Strings that make such patterns blow up at load time, so they are refused up front.
_PROBES = (*(c * 40 + "!" for c in "a1 .-N"), "Nr. " + "1/" * 30 + "!")


def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile a document-number pattern as the matcher uses it."""
    return regex.compile(pattern, regex.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One concept: its English target and how it is written in each source language."""

    target: str
    type: str
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)
    note: str = ""
    file: str = ""
    line: int = 0
    #: English renderings that must never stand for this entry ("Political Bureau").
    forbidden: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """Stable identifier: the type and the English target."""
        return f"{self.type}:{self.target}"

    def forms_for(self, lang: str, latin_script: bool) -> tuple[str, ...]:
        """Source forms that apply to a language."""
        shared = self.forms.get(LATIN, ()) if latin_script else ()
        return self.forms.get(lang, ()) + shared

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``glossary list --json`` shows it."""
        return {"target": self.target, "type": self.type, "note": self.note,
                "forms": {k: list(v) for k, v in self.forms.items()},
                "patterns": self.patterns, "forbidden": list(self.forbidden),
                "file": self.file, "line": self.line}

    def pattern_for(self, lang: str) -> str | None:
        """The document-number pattern for a language, if any."""
        return self.patterns.get(lang) or self.patterns.get(LATIN)


@dataclass(frozen=True)
class Glossary:
    """All terms, and a version hash that changes whenever any entry does."""

    terms: tuple[Term, ...] = ()
    version: str = "empty"

    def __len__(self) -> int:
        return len(self.terms)


def glossary_files(paths: Iterable[Path]) -> list[Path]:
    """The ``*.toml`` files named by files and folders, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.exists():
            files.append(path)
        else:
            raise InputError(path, "glossary file not found")
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())


#: Files parsed lately, by name and text: the desk, validating edit after edit, parses one.
_PARSED: dict[tuple[str, str], list[Term]] = {}
_PARSED_LOCK = threading.Lock()


def load_glossary(paths: Iterable[Path], replaced: dict[Path, str] | None = None) -> Glossary:
    """Load glossary files (or folders of ``*.toml``), all validated together.

    ``replaced`` gives new text for some files (an edit about to be written): the whole
    glossary is checked with it, so an edit that would clash with another file is refused.

    Raises:
        InputError: a file cannot be read, is not valid TOML, or has an invalid entry, or two
            entries are duplicates; the message names the file and the line (both lines for
            a duplicate).
    """
    replaced = replaced or {}
    files = glossary_files(paths)
    known = {f.resolve() for f in files}
    files += [f for f in replaced if f.resolve() not in known]
    replaced = {f.resolve(): text for f, text in replaced.items()}
    terms: list[Term] = []
    digest = hashlib.sha256()
    for file in files:
        try:
            text = replaced[file.resolve()] if file.resolve() in replaced \
                else read_config_text(file)
        except OSError as err:
            raise InputError(file, f"cannot read glossary ({err})") from err
        digest.update(file.name.encode() + b"\0" + text.encode() + b"\0")
        if (parsed := _PARSED.get((str(file), text))) is None:
            parsed = parse_glossary(text, file)
            with _PARSED_LOCK:  # the desk's threads
                _PARSED[(str(file), text)] = parsed
                while len(_PARSED) > 1 and sum(map(len, _PARSED.values())) > 50_000:
                    del _PARSED[next(iter(_PARSED))]  # the oldest
        terms.extend(parsed)
    seen: dict[str, Term] = {}
    for term in terms:
        if term.id in seen:
            first = seen[term.id]
            raise InputError(term.file, f"duplicate entry for {term.target!r} (first at "
                                        f"{first.file}:{first.line})", term.line)
        seen[term.id] = term
    _check_forms_have_one_owner(terms)
    return Glossary(tuple(terms), digest.hexdigest()[:12] if files else "empty")


def form_key(form: str) -> str:
    """A form as matching sees it: case, accents and spacing do not tell two forms apart."""
    decomposed = unicodedata.normalize("NFKD", " ".join(form.split()))
    if not decomposed.isascii():
        decomposed = decomposed.translate(_NOT_COMBINING)
    return decomposed.casefold()


class _CombiningMarks(dict):
    """``str.translate`` table that drops combining marks, filled as characters are seen."""
    def __missing__(self, code: int) -> int | None:
        self[code] = None if unicodedata.combining(chr(code)) else code
        return self[code]


_NOT_COMBINING = _CombiningMarks()


def owners(terms: Iterable[Term]) -> dict[tuple[str, str], Term]:
    """``{(language key, form key): the entry owning that form}``."""
    found: dict[tuple[str, str], Term] = {}
    for term in terms:
        for lang, forms in term.forms.items():
            for form in forms:
                found.setdefault((lang, form_key(form)), term)
    return found


def _check_forms_have_one_owner(terms: list[Term]) -> None:
    """Two entries owning one form would make the run pick one silently: refuse the glossary.

    A ``latin`` form applies to every Latin-script language, so it clashes with the same
    form under any language key too.
    """
    by_key: dict[str, list[tuple[str, Term, str]]] = {}
    for term in terms:
        for lang, forms in term.forms.items():
            for form in forms:
                by_key.setdefault(form_key(form), []).append((lang, term, form))
    for claims in by_key.values():
        for n, (lang, term, form) in enumerate(claims):
            for other_lang, other, _ in claims[:n]:
                if other.id != term.id and (lang == other_lang or LATIN in (lang, other_lang)):
                    raise InputError(term.file, f"form {form!r} ({lang}) of {term.target!r} is "
                                                f"also a form of {other.target!r} "
                                                f"({other.file}:{other.line}); a form belongs to "
                                                "one entry (glossary add --move moves it)",
                                     term.line)


def parse_glossary(text: str, file: Path) -> list[Term]:
    """Parse and validate one glossary file's text."""
    try:
        data = tomllib.loads(text)
    except RecursionError as err:
        raise InputError(file, "not valid TOML: nested too deeply", 1) from err
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _line_from_message(str(err))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        raise InputError(file, f"not valid TOML: {message}", line) from err
    except ValueError as err:  # int() refused the digits: Python's conversion limit
        digits = re.search(r"\d{4301,}", text)
        line = text.count("\n", 0, digits.start()) + 1 if digits else 1
        raise InputError(file, "not valid TOML: an integer longer than Python converts",
                         line) from err
    unknown = set(data) - {"term"}
    if unknown:
        raise InputError(file, f"unknown top-level key {sorted(unknown)[0]!r}; "
                               "entries are [[term]] tables", _find_line(text, sorted(unknown)[0]))
    entries = data.get("term", [])
    if not isinstance(entries, list):
        raise InputError(file, "'term' must be written as [[term]] tables", 1)
    header_lines, line, at = [], 1, 0
    for start in table_starts(text):
        line, at = line + text.count("\n", at, start), start
        header_lines.append(line)
    return [_term(entry, file, header_lines[i] if i < len(header_lines) else 1, text)
            for i, entry in enumerate(entries)]


def raw_entries(text: str, file: Path) -> list[dict[str, Any]]:
    """A file's ``[[term]]`` tables as tomllib reads them, their values not checked yet.

    Raises:
        InputError: not TOML, or not shaped as a glossary: as :func:`parse_glossary` says.
    """
    try:
        data: Any = tomllib.loads(text)
        entries = data.get("term", [])
        if set(data) - {"term"} or not isinstance(entries, list) or \
                not all(isinstance(entry, dict) for entry in entries):
            raise ValueError("not shaped as a glossary")
    except (RecursionError, ValueError):  # TOMLDecodeError, int() past its limit...
        parse_glossary(text, file)  # raises, with the line
        raise InputError(file, "not a glossary file") from None
    return entries


def table_starts(text: str) -> list[int]:
    """Where each line that looks like a ``[[term]]`` header starts (in a string, too)."""
    return [m.start() for m in _HEADER.finditer(text)]


def _term(entry: object, file: Path, line: int, text: str) -> Term:
    def fail(problem: str, key: str | None = None) -> InputError:
        where = _find_line(text, key, start=line) if key else line
        return InputError(file, problem, where or line)

    if not isinstance(entry, dict):
        raise fail(f"each term must be a [[term]] table (got {type(entry).__name__})")
    target = entry.get("target")
    if not isinstance(target, str) or not target.strip():
        raise fail("entry has no target (the English text)")
    if _LINE_BREAK.search(target):
        raise fail("target must be one line (it holds a line break or control character)",
                   "target")
    target = entered(target, "target", fail)
    kind = entry.get("type")
    if kind not in TERM_TYPES:
        raise fail(f"type must be one of {', '.join(TERM_TYPES)} (got {kind!r})", "type")
    forms: dict[str, tuple[str, ...]] = {}
    for key, value in entry.items():
        if key in _KNOWN_KEYS:
            continue
        if key != LATIN and not _LANGUAGE_KEY.match(key):
            raise fail(f"unknown key {key!r} (expected target, type, note, pattern, forbidden, "
                       "latin or a language code)", key)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(
                isinstance(v, str) and v.strip() for v in values):
            raise fail(f"{key} must be a form or a list of forms", key)
        if any(_LINE_BREAK.search(v) for v in values):
            raise fail(f"{key}: a form must be one line (it holds a line break or control "
                       "character)", key)
        forms[key] = tuple(entered(v, f"{key} form", fail, key) for v in values)
    patterns = entry.get("pattern", {})
    if not isinstance(patterns, dict):
        raise fail("pattern must be written as pattern.LANG = '...'", "pattern")
    for lang, pattern in patterns.items():
        _check_pattern(lang, pattern, target, fail)
    if not forms and not patterns:
        raise fail(f"entry {target!r} has no source forms or patterns")
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise fail("note must be text", "note")
    forbidden = entry.get("forbidden", [])
    forbidden = [forbidden] if isinstance(forbidden, str) else forbidden
    if not isinstance(forbidden, list) or not all(
            isinstance(f, str) and f.strip() and not _LINE_BREAK.search(f) for f in forbidden):
        raise fail("forbidden must be a list of English renderings, each one line",
                   "forbidden")
    return Term(target=target, type=kind, forms=forms, patterns=dict(patterns),
                note=note, file=str(file), line=line,
                forbidden=tuple(entered(f, "forbidden rendering", fail, "forbidden")
                                for f in forbidden))


def entered(text: str, what: str, fail: Any, key: str | None = None) -> str:
    """``text`` under the rule for text people enter (``text.entered``), or the entry's error.

    A glossary file is written by hand as often as by ``glossary add``, so the same rule holds
    when it is loaded: a bidirectional control or a noncharacter is refused with the file and
    line, and a form written with a zero-width space or a soft hyphen is the form without it
    (as article text is), so it matches, and the one-form-one-entry rule sees it.
    """
    if is_clean(text):
        return text
    try:
        return clean_entered_text(text, what)
    except EnteredTextError as err:
        raise fail(str(err), key or what) from err


def is_clean(text: str) -> bool:
    """Whether ``clean_entered_text`` surely gives ``text`` back as it is (a cheap test)."""
    # All it refuses or removes is not printable; the one printable space, U+0020, it strips.
    return text.isprintable() and text[:1] not in ("", " ") and text[-1] != " " and \
        unicodedata.is_normalized("NFC", text)


def check_entry(entry: dict[str, Any], file: Path) -> Term:
    """Validate one entry given as a table (an edit about to be made) as loading would.

    Raises:
        InputError: names ``file`` and the problem (no line: the entry is not written yet).
    """
    return _term(entry, file, 0, "")


def _check_pattern(lang: str, pattern: object, target: str, fail: Any) -> None:
    """Refuse a pattern that a run could not use safely.

    It must compile, have a number group if the target has one, match no empty string (it
    would turn every sentence into its target) and never backtrack for ever.
    """
    if lang != LATIN and not _LANGUAGE_KEY.match(lang):
        raise fail(f"pattern.{lang}: {lang!r} is not a language code or 'latin'", "pattern")
    if not isinstance(pattern, str) or not pattern.strip():
        raise fail(f"pattern.{lang} must be a regular expression in quotes", "pattern")
    try:
        compiled = compile_pattern(pattern)
    except (regex.error, TypeError, ValueError, OverflowError, RecursionError) as err:
        raise fail(f"pattern.{lang} is not a valid regular expression ({err})",
                   "pattern") from err
    if "{number}" in target and "number" not in compiled.groupindex:
        raise fail(f"pattern.{lang} needs a (?P<number>...) group for {{number}}", "pattern")
    try:
        if compiled.fullmatch("", timeout=PATTERN_TIMEOUT) is not None or any(
                m.end() == m.start() for probe in _PROBES
                for m in compiled.finditer(probe, timeout=PATTERN_TIMEOUT)):
            raise fail(f"pattern.{lang} can match an empty string; it must match a document "
                       "number", "pattern")
    except TimeoutError as err:
        raise fail(f"pattern.{lang} takes too long on simple text (nested repetition such "
                   "as (a+)+ or (a|aa)+?); simplify it", "pattern") from err


def _find_line(text: str, key: str | None, start: int = 1) -> int | None:
    if key is None:
        return None
    lines = text.splitlines()
    for number in range(max(start, 1), len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped.startswith((f"{key} ", f"{key}=", f"{key}.")):
            return number
        if number > start and stripped.startswith("[[term]]"):
            break
    return None


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
