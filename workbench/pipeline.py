"""Compose the steps: prepared articles in, records out, with the translation step batched.

Articles are processed in chunks so a folder of thousands is never held in memory at once.
Within a chunk every segment that needs translating is looked up in the cache together; the
misses of each language pair are de-duplicated, sorted by length and sent to the engine in
token-bounded batches, and each batch is committed to the cache as soon as it is done.
This module does no I/O of its own beyond the cache and engine it is given.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from workbench.cache import CacheEntry, TranslationCache, cache_key, text_key
from workbench.engines.base import Engine, Translation
from workbench.errors import InputError
from workbench.prepare import PreparedArticle
from workbench.records import TRANSLATED_KINDS, ArticleInfo, Record, Segment, Status

logger = logging.getLogger(__name__)

#: Languages whose segments are never sent to an xx→en model (Vietnamese quotes, say).
UNTRANSLATED_LANGUAGES = frozenset({"vi"})
#: Articles are translated this many segments at a time (bounded memory, good batches).
CHUNK_SEGMENTS = 20_000

EngineLookup = Callable[[str, str], Engine | None]


class Progress(Protocol):
    """Where the pipeline reports long work; the CLI draws bars, tests count calls."""

    def start(self, label: str, total: int) -> None:
        """A task of ``total`` units begins."""

    def advance(self, n: int) -> None:
        """``n`` more units are done."""

    def finish(self) -> None:
        """The task ended."""


class NoProgress:
    """Report nothing."""

    def start(self, label: str, total: int) -> None:
        """Ignore."""

    def advance(self, n: int) -> None:
        """Ignore."""

    def finish(self) -> None:
        """Ignore."""


@dataclass
class RunStats:
    """What a run did, for the summary and the exit code."""

    articles: int = 0
    failed_articles: int = 0
    statuses: Counter = field(default_factory=Counter)
    missing_pairs: set[tuple[str, str]] = field(default_factory=set)
    signatures: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    models_loaded: int = 0

    @property
    def segments(self) -> int:
        """Number of records written."""
        return sum(self.statuses.values())

    @property
    def complete(self) -> bool:
        """True when every article was read and every segment meant for English got it."""
        return (not self.failed_articles and not self.statuses[Status.NO_MODEL]
                and not self.statuses[Status.FAILED])


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """One article's metadata and records, in order."""

    info: ArticleInfo
    records: tuple[Record, ...]


@dataclass(slots=True)
class _Job:
    """A segment that needs English, and what the engine will see for it."""

    segment: Segment
    engine_input: str
    result: Translation | None = None
    status: Status = Status.NO_MODEL


def translate_articles(
    articles: Iterable[PreparedArticle | InputError],
    engines: EngineLookup,
    cache: TranslationCache,
    stats: RunStats,
    tgt: str = "en",
    progress: Progress | None = None,
    chunk_segments: int = CHUNK_SEGMENTS,
) -> Iterator[ArticleResult]:
    """Translate prepared articles; yield each article's records in input order.

    Input errors are counted and reported in ``stats`` (and yield an article with no
    records and its error), never raised: one bad file does not stop the others.
    """
    progress = progress or NoProgress()
    chunk: list[PreparedArticle | InputError] = []
    size = 0
    for item in articles:
        chunk.append(item)
        size += len(item.segments) if isinstance(item, PreparedArticle) else 0
        if size >= chunk_segments:
            yield from _translate_chunk(chunk, engines, cache, stats, tgt, progress)
            chunk, size = [], 0
    yield from _translate_chunk(chunk, engines, cache, stats, tgt, progress)


def _translate_chunk(chunk: list[PreparedArticle | InputError], engines: EngineLookup,
                     cache: TranslationCache, stats: RunStats, tgt: str,
                     progress: Progress) -> Iterator[ArticleResult]:
    jobs: dict[tuple[str, str], list[_Job]] = defaultdict(list)
    for item in chunk:
        if isinstance(item, PreparedArticle):
            for seg in item.segments:
                if needs_translation(seg, tgt):
                    jobs[(seg.src_lang, tgt)].append(_Job(seg, seg.text))
    done: dict[tuple[str, int], _Job] = {}
    for pair, pair_jobs in jobs.items():
        _translate_pair(pair, pair_jobs, engines, cache, stats, progress)
        done.update(((job.segment.article, job.segment.index), job) for job in pair_jobs)
    for item in chunk:
        if isinstance(item, InputError):
            stats.failed_articles += 1
            stats.errors.append(str(item))
            yield ArticleResult(ArticleInfo(article=item.path.stem, path=str(item.path),
                                            error=item.problem), ())
            continue
        stats.articles += 1
        records = tuple(_record(seg, done.get((seg.article, seg.index)), tgt)
                        for seg in item.segments)
        stats.statuses.update(r.status for r in records)
        yield ArticleResult(item.info, records)


def needs_translation(seg: Segment, tgt: str) -> bool:
    """Whether a segment is meant to be sent to an xx→tgt model."""
    return (seg.kind in TRANSLATED_KINDS and seg.src_lang != tgt
            and seg.src_lang not in UNTRANSLATED_LANGUAGES)


def _record(seg: Segment, job: _Job | None, tgt: str) -> Record:
    if job is None:
        english = seg.text if seg.src_lang == tgt and seg.kind in TRANSLATED_KINDS else None
        return Record.of(seg, tgt, english, Status.KEPT)
    if job.result is None:
        return Record.of(seg, tgt, None, job.status)
    return Record.of(seg, tgt, job.result.text, job.status, job.result.score)


def _translate_pair(pair: tuple[str, str], jobs: list[_Job], engines: EngineLookup,
                    cache: TranslationCache, stats: RunStats, progress: Progress) -> None:
    src, tgt = pair
    engine = engines(src, tgt)
    if engine is None:
        _reuse_any_engine(pair, jobs, cache, stats)
        return
    signature = engine.signature()
    stats.signatures[f"{src}-{tgt}"] = signature
    keys = {job.engine_input: cache_key(signature, src, tgt, job.engine_input) for job in jobs}
    hits = cache.get_many(list(keys.values()))
    misses: dict[str, list[_Job]] = defaultdict(list)
    for job in jobs:
        hit = hits.get(keys[job.engine_input])
        if hit is not None:
            job.result, job.status = Translation(hit.target, hit.score), Status.CACHED
        else:
            misses[job.engine_input].append(job)
    if not misses:
        return
    texts = sorted(misses, key=lambda text: (engine.count_tokens(text), text))
    progress.start(f"Translating {src}→{tgt}", len(texts))
    try:
        for batch in _token_batches(texts, engine, engine.batch_tokens):
            _run_batch(batch, misses, engine, signature, pair, cache, stats)
            progress.advance(len(batch))
    finally:
        progress.finish()
        if engine.loaded:
            stats.models_loaded += 1


def _token_batches(texts: list[str], engine: Engine, budget: int) -> Iterator[list[str]]:
    batch: list[str] = []
    used = 0
    for text in texts:
        tokens = max(1, engine.count_tokens(text))
        if batch and used + tokens > budget:
            yield batch
            batch, used = [], 0
        batch.append(text)
        used += tokens
    if batch:
        yield batch


def _run_batch(batch: list[str], misses: dict[str, list[_Job]], engine: Engine, signature: str,
               pair: tuple[str, str], cache: TranslationCache, stats: RunStats) -> None:
    src, tgt = pair
    try:
        results = engine.translate_batch(batch)
        if len(results) != len(batch):
            raise RuntimeError(f"engine returned {len(results)} outputs for {len(batch)} inputs")
    except Exception as err:  # an engine failure fails its batch, not the run
        logger.exception("translation failed for a batch of %d %s→%s segments",
                         len(batch), src, tgt)
        stats.errors.append(f"{src}→{tgt}: engine failed on {len(batch)} segments ({err})")
        for text in batch:
            for job in misses[text]:
                job.status = Status.FAILED
        return
    cache.put_many(CacheEntry(signature, src, tgt, text, result.text, result.score)
                   for text, result in zip(batch, results, strict=True))
    for text, result in zip(batch, results, strict=True):
        for job in misses[text]:
            job.result, job.status = result, Status.TRANSLATED


def _reuse_any_engine(pair: tuple[str, str], jobs: list[_Job], cache: TranslationCache,
                      stats: RunStats) -> None:
    """No model installed: use the newest cached translation from any engine, if there is one."""
    src, tgt = pair
    keys = {job.engine_input: text_key(src, tgt, job.engine_input) for job in jobs}
    hits = cache.get_by_text(list(keys.values()))
    for job in jobs:
        hit = hits.get(keys[job.engine_input])
        if hit is not None:
            job.result, job.status = Translation(hit.target, hit.score), Status.CACHED
            stats.signatures.setdefault(f"{src}-{tgt}", hit.signature)
        else:
            job.status = Status.NO_MODEL
            stats.missing_pairs.add(pair)
