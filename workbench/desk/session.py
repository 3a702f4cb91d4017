"""One run open at the review desk: what it shows, and every correction saved as it is made.

A correction or approval is one row in the cache the run used (``run.json`` names it),
committed before the request returns: the next ``translate`` or ``export`` shows it as
``approved``, and closing the tab, restarting the desk or a crash loses nothing. Approvals are
keyed by source text, as ``corrections apply`` stores them, so approving a sentence approves
its repeats in other articles too.

A save names the English the reviewer was looking at. If the segment's English changed since
(another tab, another reviewer), the save is refused and the other text is shown: no update
is lost, and none overwrites another unseen.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.cache.keys import text_key
from workbench.cache.store import TranslationCache
from workbench.desk.run_index import ArticleEntry, RunIndex, short_key
from workbench.desk.segments import current, reviewable, segment_view
from workbench.errors import InputError, WorkbenchError
from workbench.outputs.run_folder import MANIFEST, read_manifest, run_cache
from workbench.records import Correction, Record, Status
from workbench.text.entered import EnteredTextError, clean_entered_text

#: Longest English a reviewer may save for one segment (a segment is at most a long sentence).
MAX_ENGLISH_CHARS = 10_000
# What the editor's textarea gives for Enter: a space, as the English is one line.
_EDITOR_BREAK_RE = re.compile("\r\n?|\n")


class DeskError(WorkbenchError):
    """A request the desk refuses; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.details = details


class Conflict(DeskError):
    """The segment's English changed since the reviewer loaded it."""

    def __init__(self, theirs: str | None, status: str) -> None:
        super().__init__("This segment was changed meanwhile (another tab or reviewer); "
                         "their English is shown. Save again to replace it.", 409,
                         theirs=theirs, theirs_status=status)


@dataclass
class Progress:
    """Reviewed (approved) segments out of those a reviewer can approve."""

    reviewed: int
    total: int


class DeskSession:
    """A run folder, its cache, and the index of its records.

    Raises (on opening):
        InputError: the folder holds no finished run, or its records are damaged.
        CacheError: the cache the run names cannot be opened.
    """

    def __init__(self, out_dir: Path, read_only: bool = False) -> None:
        self.out_dir = out_dir
        self.read_only = read_only
        self.manifest = read_manifest(out_dir)
        if not self.manifest:
            raise InputError(out_dir / MANIFEST, "missing; run `workbench translate` first")
        cache_path = run_cache(out_dir)
        if cache_path is None:
            raise InputError(out_dir / MANIFEST, "names no cache (made by an old Workbench?); "
                                                 "run `workbench translate` again")
        if not cache_path.is_file():
            raise InputError(cache_path, "the cache this run used is gone; run `workbench "
                                         "translate` again to make it")
        self.cache_path = cache_path
        # The desk's threads share one connection; ``lock`` serialises every use of it.
        self.cache = TranslationCache(cache_path, read_only=read_only, shared=True)
        self.lock = threading.RLock()
        self.index = RunIndex.build(out_dir)
        self.approved = {short_key(k) for k in self.cache.approval_keys()}
        self._rows: list[str] | None = None  # the index page's rows, as JSON (see overview)

    def close(self) -> None:
        """Close the cache."""
        self.cache.close()

    def refresh(self) -> None:
        """Read the run again if ``records.jsonl`` changed (a translate or export meanwhile)."""
        with self.lock:
            if not self.index.is_current():
                self.manifest = read_manifest(self.out_dir)
                self.index = RunIndex.build(self.out_dir)
                self.approved = {short_key(k) for k in self.cache.approval_keys()}
                self._rows = None

    # -- reading -------------------------------------------------------------------------

    def progress(self, entry: ArticleEntry | None = None) -> Progress:
        """Reviewed/total for one article, or for the run."""
        if entry is not None:
            return Progress(entry.reviewed(self.approved), len(entry.keys))
        counts = self.index.occurrences  # the run: a sum over approvals, not over records
        return Progress(sum(counts.get(key, 0) for key in self.approved), counts.total())

    def overview(self) -> str:
        """What the index page shows, as JSON: the run, and one row per article.

        The rows change only when the run is read again, so their JSON is made once; only
        each row's reviewed count is filled in per request (5,000 articles: a few ms).
        """
        with self.lock:
            self.refresh()
            if self._rows is None:
                self._rows = [_row_json(entry) for entry in self.index.articles.values()]
            counts = [entry.reviewed(self.approved) if self.approved else 0
                      for entry in self.index.articles.values()]
            statuses: Counter[str] = Counter()
            for entry in self.index.articles.values():
                statuses.update(entry.statuses)
            glossary = self.manifest.get("glossary") or {}
            run = {"out_dir": str(self.out_dir), "started": self.manifest.get("started"),
                   "cache": str(self.cache_path), "glossary_terms": glossary.get("terms", 0),
                   "statuses": dict(statuses), **self.run_progress()}
            rows = ",".join(f"{row}{count}}}" for row, count in zip(self._rows, counts,
                                                                    strict=True))
            return f'{{"run":{json.dumps(run, ensure_ascii=False)},"articles":[{rows}]}}'

    def run_progress(self) -> dict[str, Any]:
        """The run's reviewed/total and whether it can be changed: every page's header."""
        run = self.progress()
        return {"reviewed": run.reviewed, "reviewable": run.total, "read_only": self.read_only}

    def records(self, article: str) -> list[Record]:
        """An article's records as the desk shows them (approved English from the cache).

        Raises:
            DeskError: no such article (404).
        """
        try:
            records = self.index.records(article)
        except KeyError:
            raise DeskError(f"no article {article[:80]!r} in this run", 404) from None
        return self.shown(records)

    def shown(self, records: list[Record]) -> list[Record]:
        """Records with the English the desk shows (articles and concordance alike).

        An approval made since the run wins; a withdrawn one falls back to the cache's
        machine English.
        """
        pairs: dict[tuple[str, str], list[str]] = {}
        for r in records:
            if reviewable(r):
                pairs.setdefault((r.src_lang, r.tgt_lang), []).append(r.src)
        approved = {pair: self.cache.approved(*pair, sources) for pair, sources in pairs.items()}
        withdrawn = [r for r in records if r.status is Status.APPROVED
                     and r.src not in approved.get((r.src_lang, r.tgt_lang), {})]
        machine: dict[tuple[str, str], dict[str, str]] = {}
        for r in withdrawn:
            machine.setdefault((r.src_lang, r.tgt_lang), {}).update(
                self.cache.machine_translations(r.src_lang, r.tgt_lang, [r.src]))
        return [current(r, approved.get((r.src_lang, r.tgt_lang), {}).get(r.src),
                        machine.get((r.src_lang, r.tgt_lang), {}).get(r.src))
                for r in records]

    def article(self, article: str) -> dict[str, Any]:
        """What an article page shows: its metadata, progress, neighbours and segments."""
        with self.lock:
            self.refresh()
            records = self.records(article)
            entry = self.index.articles[article]
            order = list(self.index.articles)
            by_index = {r.index: r for r in records}
            done = self.progress(entry)
            return {"article": article, "headline": entry.headline,
                    "info": entry.info.to_dict(),
                    "previous": order[entry.position - 1] if entry.position > 0 else None,
                    "next": order[entry.position + 1] if entry.position + 1 < len(order)
                    else None,
                    "reviewed": done.reviewed, "reviewable": done.total,
                    "run": self.run_progress(),
                    "segments": [segment_view(r, by_index) for r in records]}

    # -- saving --------------------------------------------------------------------------

    def save(self, article: str, index: int, english: str, base: str | None) -> dict[str, Any]:
        """Store a reviewer's English (edited, or the machine's approved as is).

        ``base`` is the English the reviewer saw; if the segment's English is no longer that,
        nothing is stored and :class:`Conflict` says what it is now. The English is held to
        the rule for entered text (:func:`entered`), so every format stores the same text.
        """
        if not english.strip():
            raise DeskError("the English is empty: write a translation, or undo the approval")
        english = entered(_EDITOR_BREAK_RE.sub(" ", english), "the English")
        if len(english) > MAX_ENGLISH_CHARS:
            raise DeskError(f"the English is over {MAX_ENGLISH_CHARS:,} characters")
        with self.lock:
            return self._store(self._current(article, index, base), english)

    def withdraw(self, article: str, index: int, base: str | None) -> dict[str, Any]:
        """Undo an approval: the segment shows the machine English again."""
        with self.lock:
            record = self._current(article, index, base)
            if record.status is not Status.APPROVED:
                raise DeskError("this segment is not approved: there is nothing to undo", 409)
            return self._store(record, None)

    def _store(self, record: Record, english: str | None) -> dict[str, Any]:
        """Write (or withdraw) the approval, unless another desk changed it just now."""
        expected = record.tgt if record.status is Status.APPROVED else None
        found = self.cache.replace_approval(Correction(
            record.src_lang, record.tgt_lang, record.src, english or "", record.article,
            record.index), expected)
        if found is not None:  # another desk process saved in between
            raise Conflict(found or None, "approved" if found else "translated")
        key = short_key(text_key(record.src_lang, record.tgt_lang, record.src))
        if english is None:
            self.approved.discard(key)
        else:
            self.approved.add(key)
        return self._segment_after(record.article, record.index)

    def _current(self, article: str, index: int, base: str | None) -> Record:
        if self.read_only:
            raise DeskError("this desk is read-only (started with --read-only)", 403)
        self.refresh()
        record = next((r for r in self.records(article) if r.index == index), None)
        if record is None:
            raise DeskError(f"article {article[:80]!r} has no segment {index}", 404)
        if not reviewable(record):
            raise DeskError(f"segment {index} is {record.kind.value} text the run keeps as it "
                            "is; there is no English to review", 409)
        if (record.tgt or "") != (base or ""):
            raise Conflict(record.tgt, record.status.value)
        return record

    def _segment_after(self, article: str, index: int) -> dict[str, Any]:
        records = self.records(article)
        entry = self.index.articles[article]
        by_index = {r.index: r for r in records}
        done, run = self.progress(entry), self.progress()
        saved = by_index[index]
        # Approvals are kept by source text: every repeat of the sentence in the article
        # changed with it, and the page updates them all in place.
        same = [segment_view(r, by_index) for r in records
                if (r.src, r.src_lang, r.tgt_lang) == (saved.src, saved.src_lang, saved.tgt_lang)]
        return {"segment": segment_view(saved, by_index), "segments": same,
                "article_reviewed": done.reviewed, "article_reviewable": done.total,
                "run_reviewed": run.reviewed, "run_reviewable": run.total}


def entered(text: str, what: str) -> str:
    """Text a person entered at the desk, as it is stored: one rule for every format.

    ``text.entered.clean_entered_text`` (controls, lone surrogates, noncharacters and bidi
    controls refused; invisible characters removed), then runs of spaces made one.

    Raises:
        DeskError: the text breaks the rule (400, the rule's one-line message).
    """
    try:
        return " ".join(clean_entered_text(text, what).split())
    except EnteredTextError as err:
        raise DeskError(str(err)) from None


def _row_json(entry: ArticleEntry) -> str:
    """An index row as JSON, open at the end for its reviewed count."""
    info = entry.info
    row = json.dumps({
        "article": entry.article, "position": entry.position, "headline": entry.headline,
        "lang": info.lang, "site": info.site, "date": info.date, "error": info.error,
        "statuses": dict(entry.statuses), "flags": dict(entry.flags),
        "reviewable": len(entry.keys)}, ensure_ascii=False)
    return row[:-1] + ',"reviewed":'
