"""A translation run on a Ray cluster, with the data path on the workers.

The driver finds the articles (paths; a feed's entries), cuts them into batches in input
order and hands each batch to a worker (``cluster.worker``), which does everything else and
writes its part of the outputs. As each batch comes back the driver merges the rows the
worker added into the run's cache (one transaction per batch), so the SQLite cache stays
authoritative and a killed driver loses at most the batches in flight: a re-run finds the
rest cached. At the end it writes ``parts/manifest.json`` and ``run.json``.

Why rows by key plus merged rows: each worker's lookups must not cross the network (the
driver would be the data path again), SQLite has one writer, and a worker must not need the
whole cache (an archive's is hundreds of gigabytes). So with each batch the driver sends the
rows its articles used in their last run (``cache.subset``: an index by article path of the
keys used), looked up in one go per table; the worker looks everything up in those, and the
driver, the one writer, merges what the workers add with one ``insert or replace`` per table
and stores the keys each article used. A segment repeated in two batches may be translated
by both; both get the same English. An article the index does not know (new, or renamed)
gets no rows: its segments that another article already translated are translated again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from workbench.cache.store import TranslationCache
from workbench.cache.subset import (
    article_index_key,
    article_keys,
    empty_copy,
    every_approval,
    pack_keys,
    pack_rows,
    put_article_keys,
    rows_by_key,
    rows_for_articles,
)
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
    if settings.auto_names:  # found per run, which no worker sees whole
        stats.notices.append("automatic names are not found on a cluster run yet: unseen "
                             "Vietnamese names go to the model as text (a local run "
                             "protects them; --no-auto-names silences this line)")
    for stale in (RECORDS, ARTICLES):  # a local run's, checked as ours by the caller's claim
        (out_dir / stale).unlink(missing_ok=True)
    (out_dir / PARTS).mkdir(parents=True, exist_ok=True)
    (out_dir / PARTS / PARTS_MANIFEST).unlink(missing_ok=True)  # no stale list of parts
    (out_dir / PARTS / SNAPSHOT).unlink(missing_ok=True)  # an earlier version's copy
    batches: dict[int, list[ArticleFile | InputError]] = {}  # sent, not back yet
    spans: dict[int, tuple[int, str, str]] = {}  # back: how many articles, first, last
    with TranslationCache(settings.cache_path) as cache:
        shipped = Shipped(cache, settings.tgt_lang)
        try:
            cluster.start(ArticleWorker, WorkerPlan(
                out_dir.absolute(), glossary, languages, settings.tgt_lang, include_kept,
                engines, empty_copy(cache, out_dir / PARTS / SNAPSHOT), shipped.first()))
            progress.start(f"Translating on {cluster.workers} workers", 0)
            calls = shipped.each(_numbered(_batches(
                article_files(inputs, fields or DEFAULT_FIELDS), articles_per_part,
                stats.notices), batches))
            for n, outcome in cluster.run("translate", calls, _translated):
                if isinstance(outcome, PartResult):
                    shipped.back(outcome)
                    outcome.rows, outcome.used = {}, {}  # merged: not kept here
                parts[n + 1] = outcome  # calls are numbered from 0, parts from 1
                batch = batches.pop(n + 1)  # a feed's entries carry their bytes: let go
                spans[n + 1] = (len(batch), _name(batch[0]), _name(batch[-1]))
                progress.advance(len(batch))
            progress.finish()
        finally:
            swept = _swept(cluster.close(farewell="finish"))
            shipped.remember_lemmas()
        described = {**cluster.describe(swept), "cache_bytes": shipped.cache_bytes(),
                     "bytes_to_workers": shipped.bytes}
    entries = _count_in(stats, parts, spans)
    write_parts_manifest(out_dir, entries)
    remove_stale_parts(out_dir, entries)
    write_manifest(out_dir, {**manifest_of(stats, settings, started, glossary),
                             "cluster": described, "layout": "parts",
                             "parts": f"{PARTS}/{PARTS_MANIFEST}",
                             "records_sha256": None, "outputs_sha256": None,
                             "derived": [], "written": names_written(out_dir)})
    return RunResult(out_dir, stats)


class Shipped:
    """The cache rows sent to workers: each batch's, found by its articles' index entries.

    Also what comes back: rows merged, index entries stored; dictionary forms made in this
    run go with every later batch (a worker that started before they were made lacks them).
    """

    def __init__(self, cache: TranslationCache, tgt: str) -> None:
        self.cache, self.tgt = cache, tgt
        self.bytes = 0  # packed rows sent (a batch sent again after a loss counts once)
        self._lemma_entry = article_index_key(tgt, "\x00lemmas")
        self._lemmas: set[str] = set()
        self._new_lemmas: dict[str, tuple] = {}

    def first(self) -> bytes:
        """What every worker starts with: the approvals, and the lemma tables last used."""
        known = article_keys(self.cache, self._lemma_entry).get("prepared", [])
        packed = pack_rows([*every_approval(self.cache),
                            *rows_by_key(self.cache, "lemmas", known)])
        self.bytes += len(packed)
        return packed

    def each(self, batches: Iterator[tuple[int, list[ArticleFile | InputError]]]
             ) -> Iterator[tuple[int, list[ArticleFile | InputError], bytes]]:
        """Each batch with its rows, looked up as the pool draws it."""
        for number, batch in batches:
            keys = [article_index_key(self.tgt, item.path, item.line) for item in batch
                    if isinstance(item, ArticleFile)]
            rows = rows_for_articles(self.cache, keys)
            if self._new_lemmas:
                rows.append(("lemmas", ("key", "data", "created"),
                             list(self._new_lemmas.values())))
            packed = pack_rows(rows)
            self.bytes += len(packed)
            yield number, batch, packed

    def back(self, part: PartResult) -> None:
        """Merge a part's new rows and store its articles' index entries."""
        self.cache.merge_rows(part.rows)
        if "lemmas" in part.rows:
            columns, rows = part.rows["lemmas"]
            at = columns.index("key")
            self._new_lemmas.update({row[at]: tuple(row[columns.index(c)] for c in
                                                    ("key", "data", "created"))
                                     for row in rows})
        if part.used:
            put_article_keys(self.cache, part.used)
        self._lemmas.update(part.lemmas)

    def remember_lemmas(self) -> None:
        """Store which lemma tables this run's workers used, for the next run's start."""
        if self._lemmas:  # kept under the index's "prepared" slot: keys are keys
            put_article_keys(self.cache, {self._lemma_entry: pack_keys(
                {"prepared": sorted(self._lemmas)})})

    def cache_bytes(self) -> int:
        """The cache's size on disk (file and WAL)."""
        path = self.cache.path
        return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"))
                   if p.exists())


def _swept(said: list) -> dict[str, list[str]]:
    """The lost workers' folders the workers removed, and those left, from their farewells."""
    swept: dict[str, list[str]] = {"removed": [], "left": []}
    for one in said:
        if isinstance(one, dict):
            for kind in swept:
                swept[kind] += [p for p in one.get(kind, []) if p not in swept[kind]]
    return swept


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
