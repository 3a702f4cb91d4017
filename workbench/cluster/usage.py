"""Which cache rows each article of a worker's batch used: the index its next run ships by.

The data path is the local run's (``run.pipeline``, ``run.preparer``, ``qa.memo``); these
subclasses only note, per article, the keys it looked up or wrote: its prepared article and
matches (``Preparer.start``/``finish`` name the article), its QA flags (the records name
it), and its translations (each segment's job, with the pair's engine signature). Lemma
tables are the worker's for the whole run, so they are noted once, not per article.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from workbench.cache.blobs import BlobBuffer
from workbench.cache.keys import cache_key, text_key
from workbench.cache.store import CachedTranslation, CacheEntry, TranslationCache
from workbench.cache.subset import article_index_key, pack_keys
from workbench.glossary.match import Match
from workbench.qa.memo import QAMemo
from workbench.records import Record, Segment, Status
from workbench.run.batches import Job
from workbench.run.pipeline import RunContext
from workbench.run.preparer import MatchedArticle, Pending, Preparer
from workbench.text.reader import ArticleFile

#: Statuses whose English came from a translation row (hit or written).
_FROM_ROWS = (Status.TRANSLATED, Status.CACHED)


@dataclass
class Usage:
    """Keys used in the batch so far, by article id and table."""

    current: str | None = None  # the article whose blobs are being looked up
    keys: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    jobs: list[Job] = field(default_factory=list)
    looked_up: set[str] = field(default_factory=set)  # translation keys asked or written
    by_text: set[str] = field(default_factory=set)  # text keys asked (no engine)
    lemmas: set[str] = field(default_factory=set)  # for the whole run

    def note(self, table: str, key: str) -> None:
        """A blob of ``table`` looked up or stored for the current article."""
        if self.current is not None:
            self.keys[self.current][table].add(key)

    def clear(self) -> None:
        """A new batch (lemmas stay: the worker's matchers outlive batches)."""
        self.current = None
        self.keys.clear()
        self.jobs.clear()
        self.looked_up.clear()
        self.by_text.clear()

    def entries(self, items: Iterable[object], signatures: dict[str, str], tgt: str
                ) -> dict[str, bytes]:
        """Each article's index entry (:func:`article_index_key`: packed keys)."""
        for job in self.jobs:
            seg, status = job.segment, job.status
            if status not in _FROM_ROWS:
                continue
            src = seg.src_lang
            by_text = text_key(src, tgt, job.key_text)
            if by_text in self.by_text:
                self.keys[seg.article]["by_text"].add(by_text)
            elif (signature := signatures.get(f"{src}-{tgt}")) is not None:
                key = cache_key(signature, src, tgt, job.key_text)
                if key in self.looked_up:
                    self.keys[seg.article]["translations"].add(key)
        entries: dict[str, bytes] = {}
        for item in items:
            if isinstance(item, ArticleFile) and item.article in self.keys:
                entries[article_index_key(tgt, item.path, item.line)] = pack_keys(
                    self.keys[item.article])
        return entries


class UsageCache(TranslationCache):
    """A worker's own store that notes which translation and lemma keys were used."""

    usage: Usage

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """Look up translations by key, noting the keys."""
        self.usage.looked_up.update(keys)
        return super().get_many(keys)

    def get_by_text(self, text_keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """Look up translations by text key (no engine), noting the keys."""
        self.usage.by_text.update(text_keys)
        return super().get_by_text(text_keys)

    def put_many(self, entries: Iterable[CacheEntry]) -> int:
        """Store translations, noting their keys."""
        entries = list(entries)
        self.usage.looked_up.update(cache_key(e.signature, e.src_lang, e.tgt_lang, e.source)
                                    for e in entries)
        return super().put_many(entries)

    def get_blob(self, table: str, key: str) -> bytes | None:
        """A blob; a lemma table's key is noted for the run."""
        if table == "lemmas":
            self.usage.lemmas.add(key)
        return super().get_blob(table, key)

    def put_blobs(self, table: str, blobs: dict[str, bytes]) -> None:
        """Store blobs; lemma tables' keys are noted for the run."""
        if table == "lemmas":
            self.usage.lemmas.update(blobs)
        super().put_blobs(table, blobs)


class NotingBuffer(BlobBuffer):
    """A blob buffer that notes each key for the article being prepared or checked."""

    def __init__(self, cache: TranslationCache, usage: Usage) -> None:
        super().__init__(cache)
        self.usage = usage

    def get(self, table: str, key: str) -> bytes | None:
        """A blob, buffered or stored; its key noted."""
        self.usage.note(table, key)
        return super().get(table, key)

    def put(self, table: str, key: str, blob: bytes) -> None:
        """Buffer a blob; its key noted."""
        self.usage.note(table, key)
        super().put(table, key, blob)


@dataclass
class NotingPreparer(Preparer):
    """The run's preparer, naming the article whose prepared blobs and matches it uses."""

    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._blobs = NotingBuffer(self.cache, self.usage)

    def start(self, file: ArticleFile, ahead: int | None = None) -> Pending:
        """Look the article up, or start preparing it (noted under its id)."""
        self.usage.current = file.article
        return super().start(file, ahead)

    def finish(self, pending: Pending) -> MatchedArticle:
        """The started article with its matches (noted under its id)."""
        self.usage.current = pending.file.article
        return super().finish(pending)


class NotingQA(QAMemo):
    """The run's QA memo, naming the article whose flags it looks up."""

    def __init__(self, cache: TranslationCache, usage: Usage) -> None:
        super().__init__(cache)
        self.usage = usage
        self._blobs = NotingBuffer(cache, usage)

    def checked(self, records: Sequence[Record]) -> tuple[Record, ...]:
        """The records with their QA flags (noted under their article's id)."""
        self.usage.current = records[0].article if records else None
        return super().checked(records)


@dataclass
class NotingContext(RunContext):
    """The run's translation step, keeping each segment's job to find its cache key after."""

    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.qa = NotingQA(self.cache, self.usage)

    def job(self, seg: Segment, matches: tuple[Match, ...] | None = None) -> Job:
        """A segment's job, kept."""
        made = super().job(seg, matches)
        self.usage.jobs.append(made)
        return made
