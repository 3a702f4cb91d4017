"""A translation run: inputs in, ``records.jsonl``, ``articles.jsonl`` and ``run.json`` out.

This is the library call behind ``workbench translate``. Outputs are written atomically: an
interrupted run leaves the previous outputs (or none), never a half-written file, while every
finished translation is already safe in the cache.
"""

from __future__ import annotations

import functools
import sqlite3
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from workbench import __version__
from workbench.cache.store import TranslationCache
from workbench.errors import InputError
from workbench.glossary.store import Glossary, load_glossary
from workbench.outputs.ownership import names_written
from workbench.outputs.parts import remove_stale_parts
from workbench.outputs.run_folder import RunWriter, write_manifest
from workbench.run.auto import run_names, source_texts
from workbench.run.pipeline import (
    EngineLookup,
    RunContext,
    needs_translation,
    translate_articles,
)
from workbench.run.preparer import MatchedArticle, Pending, Preparer
from workbench.run.progress import NoProgress, Progress
from workbench.run.stats import RunStats
from workbench.run.workers import WORKERS_AFTER, worker_count
from workbench.settings import Settings
from workbench.sites.rules import load_site_rules
from workbench.text import detect
from workbench.text.feed import DEFAULT_FIELDS, FEED_SUFFIXES, read_feed
from workbench.text.reader import ArticleFile, InputNotice, find_articles

T = TypeVar("T")


@dataclass(frozen=True)
class RunResult:
    """Where the outputs went and what the run did."""

    out_dir: Path
    stats: RunStats


def prepared_articles(inputs: Sequence[Path | ArticleFile], preparer: Preparer,
                      notices: list[str] | None = None,
                      fields: Mapping[str, tuple[str, ...]] | None = None
                      ) -> Iterator[MatchedArticle | InputError]:
    """Find and prepare every article, in input order; unusable files and lines as errors.

    Errors are yielded, not raised. Feeds are expanded entry by entry, never read whole.
    """
    yield from prepare_each(article_files(inputs, fields or DEFAULT_FIELDS), preparer, notices)


def prepare_each(items: Iterable[ArticleFile | InputError | InputNotice], preparer: Preparer,
                 notices: list[str] | None = None) -> Iterator[MatchedArticle | InputError]:
    """Prepare articles already found (:func:`article_files`), in order; errors yielded.

    Up to ``preparer.in_flight`` articles are being prepared ahead of the one yielded.
    """
    started: deque[Pending | InputError] = deque()
    try:
        for item, ahead in _looking_ahead(iter(items), WORKERS_AFTER):
            if isinstance(item, InputNotice):
                if notices is not None:
                    notices.append(str(item))
                continue
            started.append(item if isinstance(item, InputError) else
                           _timed(preparer, functools.partial(preparer.start, ahead=ahead),
                                  item))
            while started and (len(started) > preparer.in_flight or _ready(started[0])):
                yield _finished(preparer, started.popleft())
        while started:
            yield _finished(preparer, started.popleft())
        preparer.flush()
    finally:
        preparer.stop_workers()  # also when the consumer stops early; nothing is written then


def _looking_ahead(items: Iterator[T], count: int) -> Iterator[tuple[T, int]]:
    """Each item, and how many follow it, counting up to ``count``."""
    window: deque[T] = deque()
    for item in items:
        window.append(item)
        if len(window) > count:
            yield window.popleft(), count
    while window:
        yield window.popleft(), len(window)


def _ready(item: Pending | InputError) -> bool:
    return isinstance(item, InputError) or item.done()


def _finished(preparer: Preparer, item: Pending | InputError
              ) -> MatchedArticle | InputError:
    if isinstance(item, InputError):
        return item
    try:
        return _timed(preparer, preparer.finish, item)
    except InputError as err:
        return err


def _timed(preparer: Preparer, step: Callable[[Any], Any], item: Any) -> Any:
    """``step(item)``, its time counted as preparation (not the consumer's time)."""
    started = time.perf_counter()
    try:
        return step(item)
    finally:
        preparer.seconds += time.perf_counter() - started


def article_files(inputs: Sequence[Path | ArticleFile], fields: Mapping[str, tuple[str, ...]]
                  ) -> Iterator[ArticleFile | InputError | InputNotice]:
    """Every article, feed entries included, each id used once: a repeat gets ``~2``..."""
    with _SeenIds() as seen:
        for item in _expanded(inputs, fields):
            if isinstance(item, ArticleFile):
                article, n = item.article, 1
                while not seen.add(article):  # a feed id may be a file's stem, or an entry's
                    n += 1
                    article = f"{item.article}~{n}"
                if article != item.article:
                    item = replace(item, article=article)
            yield item


class _SeenIds:
    """The article ids met so far, in memory up to ``IN_MEMORY`` and on disk past that.

    A feed of a million lines would otherwise hold a million ids (60 MB) only to keep ids
    unique; past the limit they move to a temporary SQLite file, which goes with the run.
    """

    IN_MEMORY = 100_000

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._db: Any = None

    def add(self, article: str) -> bool:
        """Record an id; False when it was met before."""
        if article in self._ids:
            return False
        if self._db is None:
            self._ids.add(article)
            if len(self._ids) >= self.IN_MEMORY:
                self._spill()
            return True
        try:
            with self._db:
                self._db.execute("insert into seen values (?)", (article,))
        except sqlite3.IntegrityError:
            return False
        return True

    def _spill(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="workbench-ids-")
        self._db = sqlite3.connect(Path(self._folder.name) / "ids.db")
        self._db.execute("create table seen (id text primary key) without rowid")
        with self._db:
            self._db.executemany("insert into seen values (?)", ((i,) for i in self._ids))
        self._ids = set()

    def __enter__(self) -> _SeenIds:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            self._db.close()
            self._folder.cleanup()


def _expanded(inputs: Sequence[Path | ArticleFile], fields: Mapping[str, tuple[str, ...]]
              ) -> Iterator[ArticleFile | InputError | InputNotice]:
    """Files as found, and each feed as its entries."""
    for item in find_articles(inputs):
        if not isinstance(item, ArticleFile) or item.data is not None or \
                item.path.suffix.lower() not in FEED_SUFFIXES:
            yield item
            continue
        try:
            for entry in read_feed(item.path, fields):
                yield entry if isinstance(entry, InputError) else \
                    ArticleFile(entry.article, entry.path, entry.key, entry.parts, entry.line)
        except InputError as err:
            yield err


def count_articles(inputs: Sequence[Path | ArticleFile]) -> int:
    """How many article files the inputs hold (for a progress bar; a feed counts once)."""
    return sum(isinstance(item, ArticleFile) for item in find_articles(inputs))


def translate_inputs(inputs: Sequence[Path | ArticleFile], out_dir: Path, settings: Settings,
                     engines: EngineLookup, progress: Progress | None = None,
                     languages: tuple[str, ...] = detect.DEFAULT_LANGUAGES,
                     fields: Mapping[str, tuple[str, ...]] | None = None) -> RunResult:
    """Translate every article under ``inputs`` and write the outputs to ``out_dir``.

    ``inputs`` are paths (files, folders) or articles already read (standard input);
    ``fields`` names the fields of feed entries (:func:`workbench.text.feed.field_names`).
    The glossary and the site rules are loaded and validated completely first: a malformed
    glossary or rules file stops the run before anything is translated.
    """
    glossary = load_glossary(settings.glossary_paths) if settings.glossary_paths else Glossary()
    rules = load_site_rules(settings.labels_dir)
    stats = RunStats()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with TranslationCache(settings.cache_path) as cache, RunWriter(out_dir) as writer:
        translator = RunContext(engines, cache, stats, glossary, settings.tgt_lang,
                                progress or NoProgress())
        preparer = Preparer(cache, languages, glossary, translator.find,
                            functools.partial(needs_translation, tgt=settings.tgt_lang),
                            settings.tgt_lang, worker_count(),
                            lambda: translator.ready_matchers(languages), rules=rules)
        if settings.auto_names:  # a first pass: the names of the whole run, then translate
            translator.auto = run_names(source_texts(
                prepared_articles(inputs, preparer, stats.notices, fields), translator),
                glossary, cache)
            first = preparer.reused, preparer.matched, preparer.relabelled
        results = translate_articles(
            prepared_articles(inputs, preparer, None if settings.auto_names else stats.notices,
                              fields), translator)
        for result in results:
            writer.write(result.info, result.records)
        if settings.auto_names:  # the second pass read back what the first prepared
            preparer.reused, preparer.matched, preparer.relabelled = first
        stats.prepared_reused, stats.glossary_matched = preparer.reused, preparer.matched
        if cache.damaged:
            stats.notices.append(f"{cache.damaged} damaged cache entr"
                                 f"{'y' if cache.damaged == 1 else 'ies'} in "
                                 f"{settings.cache_path} ignored and made again; "
                                 "`workbench cache prune` drops derived ones")
        stats.prepare_seconds = preparer.seconds
    remove_stale_parts(out_dir)  # a cluster run's, now behind these records
    # Problems finding engines (a package index out of reach) are the run's errors too.
    stats.errors[:0] = [p for p in getattr(engines, "problems", []) if p not in stats.errors]
    write_manifest(out_dir, {**manifest_of(stats, settings, started, glossary),
                             "labels": {**rules.manifest(),
                                        "relabelled_articles": preparer.relabelled},
                             "cluster": None,
                             "records_sha256": writer.digest,
                             "outputs_sha256": writer.outputs_digest(glossary.version),
                             "derived": [],  # export lists each format it writes afresh
                             "written": names_written(out_dir)})
    return RunResult(out_dir, stats)


#: The settings that decide an engine's output, kept in ``run.json``.
ENGINE_SETTINGS = ("models_dir", "device", "compute_type", "beam_size", "batch_tokens", "threads",
                   "models")


def manifest_of(stats: RunStats, settings: Settings, started: str, glossary: Glossary) -> dict:
    """How the records were made: versions, engine signatures, settings, counts."""
    return {
        "workbench": __version__,
        "started": started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "complete": stats.complete,
        "tgt_lang": settings.tgt_lang,
        "project": str(settings.project) if settings.project else None,
        "cache": str(settings.cache_path.absolute()),
        "engines": dict(sorted(stats.signatures.items())),
        # What the review desk needs to translate again as this run did.
        "engine_settings": {name: str(getattr(settings, name)) if name == "models_dir"
                            else getattr(settings, name) for name in ENGINE_SETTINGS},
        "glossary": {"version": glossary.version, "terms": len(glossary),
                     "files": [str(p.absolute()) for p in settings.glossary_paths],
                     "retranslated": stats.glossary_retranslated,
                     "missed": stats.glossary_missed,
                     "redecoded": stats.glossary_redecoded},
        "articles": stats.articles,
        "prepared_from_cache": stats.prepared_reused,
        "glossary_matched": stats.glossary_matched,
        "failed_articles": stats.failed_articles,
        "segments": stats.segments,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "missing_pairs": sorted(f"{s}-{t}" for s, t in stats.missing_pairs),
        "seconds": {"prepare": round(stats.prepare_seconds, 3),
                    "translate": round(stats.translate_seconds, 3)},
        "errors": stats.errors,
        "notices": stats.notices,
        # Unseen names protected provisionally; only when a run has any (else as before).
        **({"auto_names": {"names": len(stats.auto_names),
                           "occurrences": sum(stats.auto_names.values())}}
           if stats.auto_names else {}),
    }
