"""Where corrections enter the cache: every reviewer's file, whatever its format, passes here.

Readers (:mod:`~workbench.review.corrections` for the review pages' JSON and JSON Lines,
:mod:`~workbench.review.units` for XLIFF 1.2 and TMX) yield units as written; this module
applies the same checks to all of them, once:

- **The English** goes through :func:`~workbench.text.entered.clean_entered_text`, the one
  rule for text a person enters: a control character, lone surrogate, noncharacter,
  bidirectional control or line break refuses the unit (one line naming its place), and the
  other units go on. So ``records.jsonl``, TMX, XLIFF and the pages never disagree about it.
- **The comparison** (CAT files): a unit becomes an approved translation when its English
  differs from the machine translation the cache holds for its source, and (XLIFF) it is
  marked done. Untouched units are ignored; units whose source the cache never translated
  are counted as unmatched. The review pages' own corrections are stored as written.
- **Conflicts**: two units of one file for the same segment (language pair and source text,
  the key an approval is stored under) with different English are both left out and named
  in one line; the same English twice is stored once.

Units to store are kept on disk (a temporary SQLite file) until the whole file is read, so
a file that turns out broken halfway stores nothing, conflicts are found across the whole
file, and memory stays flat for any number of units.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench.cache.store import TranslationCache
from workbench.errors import InputError
from workbench.glossary.edit import TermProposal
from workbench.records import Correction
from workbench.review.corrections import (
    is_json_lines,
    looks_like_json,
    read_json_lines,
    read_review_file,
)
from workbench.review.reviewed import RefusedUnit, ReviewedUnit
from workbench.review.units import read_units, read_xml
from workbench.text.entered import EnteredTextError, clean_entered_text

__all__ = ["ApplyReport", "apply_file", "read_units"]  # read_units: the CAT files' reader

#: Units compared with the cache at a time.
BATCH = 2000
#: Approvals written per transaction.
APPROVE_CHUNK = 5000
#: Problems kept for the report; the rest are counted.
MAX_PROBLEMS = 200


@dataclass
class ApplyReport:
    """What ``corrections apply`` did with a file."""

    approved: int = 0  # segments stored as approved
    units: int = 0  # units read from the file
    unchanged: int = 0  # untouched: the English is still the machine translation
    source_as_english: int = 0  # refused: the "English" is the source text itself
    not_done: int = 0  # edited, but not marked done by the reviewer
    unmatched: int = 0  # source unknown to the cache
    #: Of the unmatched, how many per language pair the cache never translated at all.
    unknown_pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Where the first unmatched unit of a known language pair is.
    first_unmatched: str = ""
    refused: int = 0  # units and proposed terms whose text cannot be stored
    conflicting: int = 0  # units left out: another unit gives the same source other English
    repeated: int = 0  # units that repeat another's English for the same source
    #: One line per refused unit or conflict: the first MAX_PROBLEMS, of problem_count.
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    #: Glossary terms proposed in the review pages (only their JSON carries any).
    terms: list[TermProposal] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every unit read was dealt with (none refused, none in conflict)."""
        return not self.refused and not self.conflicting

    def problem(self, line: str) -> None:
        """Note one problem line (kept while fewer than MAX_PROBLEMS are)."""
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(line)


def apply_file(path: Path, cache: TranslationCache) -> ApplyReport:
    """Store the corrections of a review-page JSON, JSON Lines, XLIFF 1.2 or TMX file.

    Raises:
        InputError: the file is unreadable, not one of those formats, or has no unit.
    """
    report = ApplyReport()
    terms: list[tuple[str, TermProposal]] = []
    units: Iterable[ReviewedUnit | RefusedUnit]
    review_page = not is_json_lines(path) and looks_like_json(path)
    if review_page:
        review = read_review_file(path)
        units, terms = review.units, review.terms
    else:
        units = read_json_lines(path) if is_json_lines(path) else read_xml(path)
    with _Staging() as staging:
        pairs = cache.language_pairs()
        admitted = _admitted(units, report)
        while batch := list(itertools.islice(admitted, BATCH)):
            _compare(_with_run_languages(batch, cache, pairs), cache, pairs, report, staging)
        if not report.units and is_json_lines(path):
            raise InputError(path, "no correction was read (the file has no line)")
        if not report.units and not review_page:
            raise InputError(path, "no translation unit with a source and a target was read "
                                   "(not XLIFF 1.2 or TMX as Workbench and OmegaT write them)")
        staging.settle(cache, report)
    report.terms = _admitted_terms(terms, report)
    return report


def _admitted(units: Iterable[ReviewedUnit | RefusedUnit], report: ApplyReport
              ) -> Iterator[ReviewedUnit]:
    """The units whose English may be stored, cleaned; each other one is one problem line."""
    for unit in units:
        report.units += 1
        if isinstance(unit, RefusedUnit):
            report.refused += 1
            report.problem(f"{unit.place}: {unit.problem}; not stored")
            continue
        try:
            english = clean_entered_text(unit.correction.tgt, "English")
        except EnteredTextError as err:
            report.refused += 1
            report.problem(f"{unit.place}: {err}; not stored")
            continue
        yield replace(unit, correction=replace(unit.correction, tgt=english))


def _admitted_terms(terms: list[tuple[str, TermProposal]], report: ApplyReport
                    ) -> list[TermProposal]:
    """Proposed terms whose English, form and note may be stored (the same rule)."""
    admitted = []
    for place, term in terms:
        try:
            admitted.append(replace(
                term, target=clean_entered_text(term.target, "English"),
                form=clean_entered_text(term.form, "form"),
                note=clean_entered_text(term.note, "note") if term.note else ""))
        except EnteredTextError as err:
            report.refused += 1
            report.problem(f"{place}: {err}; not added")
    return admitted


def _with_run_languages(units: list[ReviewedUnit], cache: TranslationCache,
                        pairs: set[tuple[str, str]]) -> list[ReviewedUnit]:
    """Units whose language the file got wrong get the run's (po2xliff writes "en-US").

    A unit of a pair the cache never translated takes the source language under which the
    cache knows its source text, if one does.
    """
    lost = [u for u in units if (u.correction.src_lang, u.correction.tgt_lang) not in pairs]
    if not lost:
        return units
    found: dict[tuple[str, str], str] = {}
    for src, tgt in sorted(pairs):
        sources = [u.correction.src for u in lost if u.correction.tgt_lang == tgt]
        for text in {**cache.machine_translations(src, tgt, sources),
                     **cache.approved(src, tgt, sources)}:
            found.setdefault((text, tgt), src)
    return [replace(u, correction=replace(u.correction, src_lang=found[key]))
            if (key := (u.correction.src, u.correction.tgt_lang)) in found
            and (u.correction.src_lang, u.correction.tgt_lang) not in pairs else u
            for u in units]


def _compare(units: list[ReviewedUnit], cache: TranslationCache,
             pairs: set[tuple[str, str]], report: ApplyReport, staging: _Staging) -> None:
    """Sort one batch into unchanged, refused, not done, unmatched and to be stored."""
    by_pair: dict[tuple[str, str], list[ReviewedUnit]] = {}
    for unit in units:
        by_pair.setdefault((unit.correction.src_lang, unit.correction.tgt_lang), []).append(unit)
    chosen = []
    for (src, tgt), pair_units in by_pair.items():
        sources = [u.correction.src for u in pair_units]
        machine = cache.machine_translations(src, tgt, sources) if (src, tgt) in pairs else {}
        approved = cache.approved(src, tgt, sources)
        for unit in pair_units:
            c = unit.correction
            known = machine.get(c.src, approved.get(c.src))
            if known is None:
                _unmatched(unit, (src, tgt) in pairs, report)
                if unit.own:
                    chosen.append(unit)  # a reviewer's own words are kept even if unmatched
            elif unit.own:
                chosen.append(unit)
            elif c.tgt in (known.strip(), approved.get(c.src, "").strip()):
                report.unchanged += 1
            elif " ".join(c.tgt.split()) == " ".join(c.src.split()):
                report.source_as_english += 1  # an untranslated unit (OmegaT's copy)
            elif not unit.done:
                report.not_done += 1
            else:
                chosen.append(unit)
    staging.add(chosen)


def _unmatched(unit: ReviewedUnit, pair_known: bool, report: ApplyReport) -> None:
    report.unmatched += 1
    if not pair_known:
        pair = (unit.correction.src_lang, unit.correction.tgt_lang)
        report.unknown_pairs[pair] = report.unknown_pairs.get(pair, 0) + 1
    elif not report.first_unmatched:
        report.first_unmatched = unit.place


class _Staging:
    """The units to store, on disk until the whole file is read (a temporary SQLite file)."""

    _COLUMNS = "src_lang, tgt_lang, src, tgt, article, idx, place"

    def __enter__(self) -> _Staging:
        # "" is a private temporary database on disk, deleted when the connection closes.
        self.db = sqlite3.connect("")
        self.db.execute("pragma journal_mode = off")
        self.db.execute("pragma synchronous = off")
        self.db.execute(f"create table staged (seq integer primary key, {self._COLUMNS})")
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def add(self, units: list[ReviewedUnit]) -> None:
        """Keep units to store once the file is read."""
        with self.db:
            self.db.executemany(
                f"insert into staged ({self._COLUMNS}) values (?, ?, ?, ?, ?, ?, ?)",
                [(u.correction.src_lang, u.correction.tgt_lang, u.correction.src,
                  u.correction.tgt, u.correction.article, u.correction.index, u.place)
                 for u in units])

    def settle(self, cache: TranslationCache, report: ApplyReport) -> None:
        """Store each segment's English once; leave out segments given different English."""
        rows = self.db.execute(f"select {self._COLUMNS} from staged "
                               "order by src_lang, tgt_lang, src, seq")
        agreed = (group for group in self._segments(rows, report) if group is not None)
        while chunk := list(itertools.islice(agreed, APPROVE_CHUNK)):
            report.approved += cache.approve(chunk)

    @staticmethod
    def _segments(rows: Iterable[tuple], report: ApplyReport) -> Iterator[Correction | None]:
        """Each segment's one correction, or None where its units disagree (a problem line)."""
        for _, group in itertools.groupby(rows, key=lambda row: row[:3]):
            first, *others = group
            if all(row[3] == first[3] for row in others):
                report.repeated += len(others)
                yield Correction(*first[:6])
                continue
            report.conflicting += 1 + len(others)
            more = f" and {len(others) - 1} more" if len(others) > 1 else ""
            report.problem(f"{first[6]} and {others[0][6]}{more}: different English for the "
                           "same source text; none of them stored")
            yield None
