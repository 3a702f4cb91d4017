"""A translation run on a Ray cluster, with the data path on the workers.

The driver finds the articles (paths; a feed's entries), cuts them into batches in input
order and hands each batch to a worker (``cluster.worker``), which does everything else and
writes its part of the outputs. As each batch comes back the driver merges the rows the
worker added into the run's cache (one transaction per batch), so the SQLite cache stays
authoritative and a killed driver loses at most the batches in flight: a re-run finds the
rest cached. At the end it writes ``parts/manifest.json`` and ``run.json``.

Why a snapshot plus merged rows: each worker's lookups must not cross the network (the
driver would be the data path again), and SQLite has one writer. So workers read their own
copy of the cache as the run began, made with SQLite's backup API (WAL included), and the
driver, the one writer, merges what they add with one ``insert or replace`` per table. A
segment repeated in two batches may be translated by both; both get the same English.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from workbench.cache.store import TranslationCache
from workbench.cluster.pool import RayCluster
from workbench.cluster.worker import ArticleWorker, PartResult, WorkerPlan
from workbench.errors import InputError
from workbench.glossary.store import Glossary, load_glossary
from workbench.outputs.ownership import names_written
from workbench.outputs.parts import SNAPSHOT, remove_stale_parts, write_parts_manifest
from workbench.outputs.run_folder import ARTICLES, PARTS, PARTS_MANIFEST, RECORDS, write_manifest
from workbench.run.pipeline import EngineLookup
from workbench.run.progress import NoProgress, Progress
from workbench.run.runner import RunResult, article_files, manifest_of
from workbench.run.stats import RunStats
from workbench.settings import Settings
from workbench.text import detect
from workbench.text.feed import DEFAULT_FIELDS
from workbench.text.reader import ArticleFile, InputNotice

#: Articles per batch (and part): enough for full engine batches, small enough that a
#: thousand workers have work on 50,000 articles.
ARTICLES_PER_PART = 50
#: Formats the workers write as parts; the others are made from the merged parts.
PART_FORMATS = ("jsonl", "tmx", "xliff")


def translate_on_cluster(cluster: RayCluster, inputs: Sequence[Path | ArticleFile],
                         out_dir: Path, settings: Settings, progress: Progress | None = None,
                         languages: tuple[str, ...] = detect.DEFAULT_LANGUAGES,
                         fields: Mapping[str, tuple[str, ...]] | None = None,
                         include_kept: bool = False,
                         engines: EngineLookup | None = None,
                         articles_per_part: int = ARTICLES_PER_PART) -> RunResult:
    """Translate every article under ``inputs`` on the cluster into ``out_dir/parts/``.

    ``engines`` builds each worker's engine lookup from its settings (None: the installed
    Argos models; a test double in benchmarks). The caller connected ``cluster``; this
    starts its workers and lets them go.
    """
    glossary = load_glossary(settings.glossary_paths) if settings.glossary_paths else Glossary()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    progress = progress or NoProgress()
    stats, parts = RunStats(), {}  # part number -> PartResult, or what failed it
    for stale in (RECORDS, ARTICLES):  # a local run's, checked as ours by the caller's claim
        (out_dir / stale).unlink(missing_ok=True)
    (out_dir / PARTS).mkdir(parents=True, exist_ok=True)
    (out_dir / PARTS / PARTS_MANIFEST).unlink(missing_ok=True)  # no stale list of parts
    snapshot = out_dir / PARTS / SNAPSHOT
    batches: dict[int, list[ArticleFile | InputError]] = {}  # sent, not back yet
    spans: dict[int, tuple[int, str, str]] = {}  # back: how many articles, first, last
    with TranslationCache(settings.cache_path) as cache:
        cache.copy_to(snapshot)
        try:
            cluster.start(ArticleWorker, WorkerPlan(out_dir.absolute(), snapshot.absolute(),
                                                    glossary, languages, settings.tgt_lang,
                                                    include_kept, engines))
            progress.start(f"Translating on {cluster.workers} workers", 0)
            calls = _numbered(_batches(article_files(inputs, fields or DEFAULT_FIELDS),
                                       articles_per_part, stats.notices), batches)
            for n, outcome in cluster.run("translate", calls, _translated):
                if isinstance(outcome, PartResult):
                    cache.merge_rows(outcome.rows)
                    outcome.rows = {}  # merged: a run's worth of cache rows is not kept here
                parts[n + 1] = outcome  # calls are numbered from 0, parts from 1
                batch = batches.pop(n + 1)  # a feed's entries carry their bytes: let go
                spans[n + 1] = (len(batch), _name(batch[0]), _name(batch[-1]))
                progress.advance(len(batch))
            progress.finish()
            described = cluster.describe()
        finally:
            cluster.close(farewell="finish")
            snapshot.unlink(missing_ok=True)
    entries = _count_in(stats, parts, spans)
    write_parts_manifest(out_dir, entries)
    remove_stale_parts(out_dir, entries)
    write_manifest(out_dir, {**manifest_of(stats, settings, started, glossary),
                             "cluster": described, "layout": "parts",
                             "parts": f"{PARTS}/{PARTS_MANIFEST}",
                             "records_sha256": None, "outputs_sha256": None,
                             "derived": [], "written": names_written(out_dir)})
    return RunResult(out_dir, stats)


def _translated(outcome: object) -> int:
    return outcome.translated if isinstance(outcome, PartResult) else 0


def _batches(items: Iterable[ArticleFile | InputError | InputNotice], size: int,
             notices: list[str]) -> Iterator[list[ArticleFile | InputError]]:
    """Consecutive batches of ``size`` articles (errors travel with them, in their place)."""
    batch: list[ArticleFile | InputError] = []
    for item in items:
        if isinstance(item, InputNotice):
            notices.append(str(item))
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _numbered(batches: Iterator[list[ArticleFile | InputError]],
              kept: dict[int, list[ArticleFile | InputError]]
              ) -> Iterator[tuple[int, list[ArticleFile | InputError]]]:
    """Batches numbered from 1, each kept until its part is back (to count and name it)."""
    for number, batch in enumerate(batches, 1):
        kept[number] = batch
        yield number, batch


def _name(item: ArticleFile | InputError) -> str:
    return item.article if isinstance(item, ArticleFile) else str(item.path)


def _count_in(stats: RunStats, parts: dict, spans: dict[int, tuple[int, str, str]]
              ) -> list[dict]:
    """Add each part's counts to the run's, in input order; return the manifest entries."""
    entries = []
    for number in sorted(spans):
        part = parts.get(number)
        if isinstance(part, PartResult):
            stats.add(part.stats)
            entries.append(part.entry)
            continue
        count, first, last = spans[number]
        stats.failed_articles += count
        stats.errors.append(f"part {number} (articles {first} to {last}) failed on the "
                            f"cluster: {part}; run again to translate it")
    return entries
