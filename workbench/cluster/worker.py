"""The cluster's worker: a Ray actor that runs the whole data path on a batch of articles.

It reads, prepares, looks up, translates, enforces the glossary, checks and writes its part
of the outputs (``outputs.parts``); the driver only plans and merges. Its cache is its own
copy of the run's cache as the run began (a snapshot, copied to the node's temporary
folder): every lookup is local, and what the worker adds is sent back after each batch as
rows the driver merges into the run's cache, the one that stays authoritative.

Every node must see the inputs, the output folder and ``--models-dir`` at the same paths (a
shared mount); a worker that does not gets one line saying so, never a hang.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.cache.store import TranslationCache
from workbench.engines.lookup import ArgosEngines, KeptLoaded
from workbench.errors import InputError
from workbench.glossary.store import Glossary
from workbench.outputs.parts import write_part
from workbench.records import Status
from workbench.run.pipeline import EngineLookup, RunContext, needs_translation, translate_articles
from workbench.run.preparer import Preparer
from workbench.run.runner import prepare_each
from workbench.run.stats import RunStats
from workbench.settings import Settings
from workbench.text.reader import ArticleFile


@dataclass(frozen=True)
class WorkerPlan:
    """What every worker of a run needs: where to write, its cache copy, the glossary."""

    out_dir: Path
    snapshot: Path
    glossary: Glossary
    languages: tuple[str, ...]
    tgt: str = "en"
    include_kept: bool = False
    #: The engine lookup to build on the worker (None: the installed Argos models). A
    #: benchmark's test double stands in here.
    engines: Callable[[Settings], EngineLookup] | None = None


@dataclass
class PartResult:
    """What a worker sends back for a batch: its manifest entry, counts and new cache rows."""

    entry: dict
    stats: RunStats
    rows: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)

    @property
    def translated(self) -> int:
        """Segments the worker's engine translated for this batch."""
        return self.stats.statuses[Status.TRANSLATED]


class ArticleWorker:
    """A Ray actor translating batches of articles into parts of the run's outputs."""

    def __init__(self, settings: Settings, plan: WorkerPlan) -> None:
        self.settings = settings.with_(threads=max(1, settings.threads or 1))
        self.plan = plan
        self._cache: TranslationCache | None = None
        self._folder: str | None = None
        self._marks: dict[str, int] = {}
        self._context: RunContext | None = None
        self._preparer: Preparer | None = None

    def where(self) -> tuple[str, str]:
        """The node this worker runs on, and its host name (for ``run.json``)."""
        import ray

        return ray.get_runtime_context().get_node_id(), socket.gethostname()

    def translate(self, number: int, items: Sequence[ArticleFile | InputError]
                  ) -> PartResult | str:
        """Translate a batch of articles into part ``number``, or say in a line why not."""
        problem = self._open()
        if problem:
            return problem
        assert self._context is not None and self._preparer is not None
        assert self._cache is not None
        stats = self._context.stats = RunStats()
        preparer = self._preparer
        reused, matched, seconds = preparer.reused, preparer.matched, preparer.seconds
        results = list(translate_articles(prepare_each(items, preparer, stats.notices),
                                          self._context))
        stats.prepared_reused = preparer.reused - reused
        stats.glossary_matched = preparer.matched - matched
        stats.prepare_seconds = preparer.seconds - seconds
        entry = write_part(self.plan.out_dir, number,
                           [(r.info, r.records) for r in results], self.plan.include_kept)
        rows = self._cache.rows_after(self._marks)
        self._marks = self._cache.high_water()
        return PartResult(entry, stats, rows)

    def _open(self) -> str | None:
        """Copy the run's cache to this node and get ready; a line when this node cannot."""
        if self._cache is not None:
            return None
        plan, host = self.plan, socket.gethostname()
        if not plan.out_dir.is_dir() or not plan.snapshot.is_file():
            return (f"worker on {host} does not see the output folder {plan.out_dir}: a "
                    "cluster run needs the inputs, the output folder and --models-dir on "
                    "a file system every node mounts at the same path")
        self._folder = tempfile.mkdtemp(prefix=f"workbench-worker-{os.getpid()}-")
        shard = Path(self._folder) / "cache.db"
        shutil.copyfile(plan.snapshot, shard)
        self._cache = TranslationCache(shard)
        self._marks = self._cache.high_water()
        engines = plan.engines(self.settings) if plan.engines else \
            KeptLoaded(ArgosEngines(self.settings))
        self._context = RunContext(engines, self._cache, RunStats(), plan.glossary, plan.tgt)
        self._preparer = Preparer(self._cache, plan.languages, plan.glossary,
                                  self._context.find,
                                  functools.partial(needs_translation, tgt=plan.tgt), plan.tgt)
        return None

    def finish(self) -> None:
        """Close and remove this worker's cache copy (the driver has merged what it added)."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None
        if self._folder:
            with contextlib.suppress(OSError):
                shutil.rmtree(self._folder)
