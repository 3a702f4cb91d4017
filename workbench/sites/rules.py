r"""Site rules files: one TOML file per site under ``labels/``, written by hand or by an edit.

``labels/vietnamplus.vn.toml`` holds ``[[rule]]`` tables, each giving a line of that site's
pages the kind it must have::

    [[rule]]
    line = "Đọc thêm"              # the exact line, as the page shows it...
    kind = "boilerplate"

    [[rule]]
    pattern = 'Lyssna: \d+ min'    # ...or a regular expression the whole line must match
    kind = "boilerplate"
    note = "listen button"         # optional

The file's name is the site (its domain without ``www.``), so the rules of one site never
apply to another. Loading validates everything and names the file and line of a problem; a
run with a bad rules file stops before anything is translated, as for a bad glossary.
A rule changes a line's kind only: every line stays in the records, only what is translated
changes.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from workbench.errors import InputError
from workbench.files import read_config_text
from workbench.records import Kind
from workbench.text.entered import EnteredTextError, clean_entered_text
from workbench.text.labels import site_of

#: The kinds a rule may give, in the order the desk's picker shows them.
RULE_KINDS = (Kind.BODY, Kind.TITLE, Kind.CAPTION, Kind.CREDIT, Kind.BYLINE, Kind.DATELINE,
              Kind.SOURCE, Kind.BOILERPLATE)
_KEYS = ("line", "pattern", "kind", "note")
#: Seconds a pattern may spend on one line; past that it backtracks catastrophically.
PATTERN_TIMEOUT = 0.25
#: Lines a pattern is tried on when loaded: one that matches every one matches any line of
#: the site, and would relabel whole articles; ones that blow up show here, not in a run.
_ANY_LINE_PROBES = ("Les også", "Foto: NTB", "12:30", "Polska wygrała mecz 2:1 w Warszawie.",
                    "„Это важно“, — сказал он.", "A")
_SLOW_PROBES = (*(c * 40 + "!" for c in "a1 .-N"), "x " * 40 + "!")
_SITE_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_SITE_RE = re.compile(rf"^{_SITE_LABEL}(?:\.{_SITE_LABEL})+$")
_HEADER_RE = re.compile(r"^\s*\[\[\s*rule\s*\]\]")


def normalize_site(site: str) -> str:
    """A site as rules name it: a URL or domain, lower case, without ``www.`` or a port.

    Raises:
        ValueError: it is not a domain (``vietnamplus.vn``) or a URL with one.
    """
    text = site.strip()
    if "/" in text:
        try:
            text = site_of(text if "//" in text else "//" + text) or ""
        except ValueError:
            text = ""
    text = text.lower().removeprefix("www.").rstrip(".")
    if len(text) > 253 or not _SITE_RE.match(text):
        raise ValueError(f"{site[:80]!r} is not a site: give its domain, e.g. vietnamplus.vn "
                         "(or a URL of one of its pages)")
    return text


def article_site(source_url: str | None, site: str | None) -> str | None:
    """The site whose rules apply to an article: its source URL's domain, else a given site.

    A page's or feed's site name (``og:site_name``: "SVT Nyheter") is not a domain and names
    no rules file; such an article, like one with no source URL, gets no site rules.
    """
    for candidate in (source_url, site):
        if not candidate:
            continue
        try:
            return normalize_site(candidate)
        except ValueError:
            continue
    return None


def line_key(text: str) -> str:
    """A line as rules compare it: NFC, spaces collapsed (as normalization leaves lines)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True, slots=True)
class SiteRule:
    """One fix: a line (or a pattern over whole lines) of a site, and the kind it must have."""

    kind: Kind
    line: str | None = None
    pattern: str | None = None
    note: str = ""
    file: str = ""
    number: int = 0  # the line of its [[rule]] in the file

    @property
    def shown(self) -> str:
        """The line, or the pattern marked as one: ``/Lyssna: \\d+ min/``."""
        return self.line if self.line is not None else f"/{self.pattern}/"

    def to_dict(self) -> dict[str, Any]:
        """The rule as ``labels list --json`` shows it."""
        return {"kind": self.kind.value, "line": self.line, "pattern": self.pattern,
                "note": self.note, "file": self.file, "number": self.number}


@dataclass(frozen=True)
class RuleSet:
    """One site's rules, from one file: exact lines first, then patterns in file order."""

    site: str
    file: Path
    rules: tuple[SiteRule, ...] = ()
    digest: str = ""
    _exact: dict[str, SiteRule] = field(default_factory=dict, repr=False, compare=False)
    _patterns: tuple[tuple[Any, SiteRule], ...] = field(default=(), repr=False,
                                                         compare=False)

    @classmethod
    def of(cls, site: str, file: Path, rules: Iterable[SiteRule], text: str) -> RuleSet:
        """The rule set of a file's parsed rules (``text``: its content, for the digest)."""
        rules = tuple(rules)
        digest = hashlib.sha256(f"{site}\0{text}".encode("utf-8", "surrogatepass"))
        return cls(site, file, rules, digest.hexdigest()[:16],
                   {r.line: r for r in rules if r.line is not None},
                   tuple((regex.compile(r.pattern), r) for r in rules if r.pattern is not None))

    def rule_for(self, text: str) -> SiteRule | None:
        """The rule that decides a line, if any: its exact line, else the first pattern."""
        key = line_key(text)
        found = self._exact.get(key)
        if found is not None:
            return found
        for compiled, rule in self._patterns:
            try:
                if compiled.fullmatch(key, timeout=PATTERN_TIMEOUT) is not None:
                    return rule
            except TimeoutError:  # checked on load; a line that still blows up: no match
                continue
        return None

    def kind_of(self, text: str) -> Kind | None:
        """The kind the rules give a line (None: as the labeller says)."""
        rule = self.rule_for(text)
        return rule.kind if rule is not None else None


@dataclass(frozen=True)
class SiteRules:
    """Every site's rules from a ``labels/`` folder (``folder`` None: no project, no rules)."""

    sets: Mapping[str, RuleSet] = field(default_factory=dict)
    folder: Path | None = None
    digest: str = "none"

    def __len__(self) -> int:
        return sum(len(s.rules) for s in self.sets.values())

    def for_site(self, site: str | None) -> RuleSet | None:
        """The rules of a site (None: it has none)."""
        found = self.sets.get(site) if site else None
        return found if found is not None and found.rules else None

    def for_article(self, source_url: str | None, site: str | None
                    ) -> Callable[[str], Kind | None] | None:
        """What relabels the lines of an article from this source (None: nothing does)."""
        rules = self.for_site(article_site(source_url, site))
        return rules.kind_of if rules is not None else None

    def manifest(self) -> dict[str, Any]:
        """What ``run.json`` says of the rules a run used."""
        return {"dir": str(self.folder.absolute()) if self.folder else None,
                "files": [str(s.file.absolute()) for s in self.sets.values()],
                "digest": self.digest, "rules": len(self)}


def load_site_rules(folder: Path | None) -> SiteRules:
    """Every ``*.toml`` rules file in ``folder``, validated (a missing folder: no rules).

    Raises:
        InputError: a file is a link or not a regular file, is not named after a site, is
            not valid TOML or holds a bad rule; the message names the file and the line.
    """
    if folder is None:
        return SiteRules()
    if not folder.exists():
        return SiteRules(folder=folder)
    if not folder.is_dir():
        raise InputError(folder, "not a folder; site rules live in a folder of <site>.toml "
                                 "files")
    sets: dict[str, RuleSet] = {}
    digest = hashlib.sha256()
    for file in sorted(folder.glob("*.toml")):
        rules = read_rules_file(file)
        sets[rules.site] = rules
        digest.update(rules.site.encode() + b"\0" + rules.digest.encode() + b"\0")
    return SiteRules(sets, folder, digest.hexdigest()[:16] if sets else "none")


def site_of_file(file: Path) -> str:
    """The site a rules file is for: its name without ``.toml``.

    Raises:
        InputError: the name is not a site's domain in lower case.
    """
    site = file.name.removesuffix(".toml")
    try:
        if normalize_site(site) == site:
            return site
    except ValueError:
        pass
    raise InputError(file, "not a site rules file name: name it after the site's domain in "
                           "lower case, e.g. vietnamplus.vn.toml")


def read_rules_file(file: Path) -> RuleSet:
    """One site's rules file, refused if it is a link or a special file, then validated."""
    site = site_of_file(file)
    check_regular(file)
    text = read_config_text(file)
    return RuleSet.of(site, file, parse_rules(text, file), text)


def check_regular(file: Path) -> bool:
    """Whether ``file`` exists, refusing a link or anything but a regular file.

    Raises:
        InputError: it is a symbolic link, a folder, a FIFO, a device or a socket.
    """
    try:
        mode = os.lstat(file).st_mode
    except FileNotFoundError:
        return False
    except OSError as err:
        raise InputError(file, f"cannot read: {err.strerror or err}") from err
    if stat.S_ISLNK(mode):
        raise InputError(file, "a symbolic link; site rules files must be regular files in "
                               "the labels folder")
    if not stat.S_ISREG(mode):
        raise InputError(file, "not a regular file; site rules files are <site>.toml files")
    return True


def parse_rules(text: str, file: Path) -> list[SiteRule]:
    """Parse and validate one rules file's text; a problem is ``file:line: problem``."""
    try:
        data = tomllib.loads(text)
    except RecursionError as err:
        raise InputError(file, "not valid TOML: nested too deeply", 1) from err
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"line (\d+)", str(err))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        raise InputError(file, f"not valid TOML: {message}",
                         int(found.group(1)) if found else None) from err
    except ValueError as err:  # an integer longer than Python converts
        raise InputError(file, f"not valid TOML: {err}", 1) from err
    unknown = sorted(set(data) - {"rule"})
    if unknown:
        raise InputError(file, f"unknown top-level key {unknown[0]!r}; rules are [[rule]] "
                               "tables", _key_line(text, unknown[0], 1) or 1)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise InputError(file, "'rule' must be written as [[rule]] tables", 1)
    headers = [n for n, line in enumerate(text.splitlines(), 1) if _HEADER_RE.match(line)]
    rules: list[SiteRule] = []
    seen: dict[tuple[str, str], SiteRule] = {}
    for i, entry in enumerate(entries):
        rule = _rule(entry, file, headers[i] if i < len(headers) else 1, text)
        key = ("line", rule.line) if rule.line is not None else ("pattern", rule.pattern or "")
        if key in seen:
            raise InputError(file, f"a second rule for the {key[0]} {rule.shown!r} (the first "
                                   f"is at line {seen[key].number}); keep one", rule.number)
        seen[key] = rule
        rules.append(rule)
    return rules


def _rule(entry: object, file: Path, number: int, text: str) -> SiteRule:
    def fail(problem: str, key: str | None = None) -> InputError:
        return InputError(file, problem, (_key_line(text, key, number) if key else None)
                          or number)

    if not isinstance(entry, dict):
        raise fail("each rule must be a [[rule]] table")
    for key in entry:
        if key not in _KEYS:
            raise fail(f"unknown key {key!r} (a rule has line or pattern, kind, and an "
                       "optional note)", key)
    line, pattern = entry.get("line"), entry.get("pattern")
    if (line is None) == (pattern is None):
        raise fail("a rule needs either line (the exact line) or pattern (a regular "
                   "expression), not both" if line is not None else
                   "a rule needs line (the exact line) or pattern (a regular expression)")
    kind = entry.get("kind")
    if kind not in {k.value for k in RULE_KINDS}:
        raise fail(f"kind must be one of {', '.join(k.value for k in RULE_KINDS)} "
                   f"(got {kind!r})", "kind")
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise fail("note must be text", "note")
    if line is not None:
        if not isinstance(line, str):
            raise fail("line must be text in quotes", "line")
        try:
            line = line_key(clean_entered_text(line, "the line"))
        except EnteredTextError as err:
            raise fail(str(err), "line") from err
    else:
        pattern = check_pattern(pattern, fail)
    return SiteRule(Kind(kind), line, pattern, note, str(file), number)


def check_pattern(pattern: object, fail: Callable[[str, str | None], Exception]) -> str:
    """A pattern a run can use safely.

    It compiles, cannot match an empty line or any line, and never backtracks for ever.
    """
    if not isinstance(pattern, str) or not pattern.strip():
        raise fail("pattern must be a regular expression in quotes", "pattern")
    try:
        compiled = regex.compile(pattern)
    except (regex.error, TypeError, ValueError, OverflowError, RecursionError) as err:
        raise fail(f"pattern is not a valid regular expression ({err})", "pattern") from err
    try:
        if compiled.fullmatch("", timeout=PATTERN_TIMEOUT) is not None:
            raise fail("pattern matches an empty line; it must match the lines to relabel "
                       "and no others", "pattern")
        if all(compiled.fullmatch(p, timeout=PATTERN_TIMEOUT) for p in _ANY_LINE_PROBES):
            raise fail("pattern matches any line (it would relabel whole articles); make it "
                       "match only the lines to relabel", "pattern")
        for probe in _SLOW_PROBES:
            compiled.fullmatch(probe, timeout=PATTERN_TIMEOUT)
    except TimeoutError as err:
        raise fail("pattern takes too long on simple text (nested repetition such as (a+)+); "
                   "simplify it", "pattern") from err
    return pattern


def _key_line(text: str, key: str | None, start: int) -> int | None:
    """The line where ``key`` is set in the table starting at ``start``."""
    if key is None:
        return None
    lines = text.splitlines()
    for number in range(max(start, 1), len(lines) + 1):
        stripped = lines[number - 1].strip()
        if number > start and _HEADER_RE.match(stripped):
            break
        if re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None

