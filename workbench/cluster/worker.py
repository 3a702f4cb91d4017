"""The cluster's worker: a Ray actor that runs the whole data path on a batch of articles.

It reads, prepares, looks up, translates, enforces the glossary, checks and writes its part
of the outputs (``outputs.parts``); the driver only plans and merges. It holds no copy of
the cache: each batch comes with the rows its articles used in their last run
(``cache.subset``), which the worker puts in a small SQLite store of its own, emptied before
the next batch, so every lookup is local and a worker's start-up and memory do not grow
with the cache. What it adds is sent back after each batch as rows the driver merges into
the run's cache, the one that stays authoritative, with the keys each article used
(``cluster.usage``), so that the next run ships them.

Its store lives in a folder of the node's temporary directory that the worker's process
holds a lock on; a worker that starts removes the folders whose lock nobody holds (a lost
worker's), and says which it could not.

Every node must see the inputs, the output folder and ``--models-dir`` at the same paths (a
shared mount); a worker that does not gets one line saying so, never a hang.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.cache.subset import load, unpack_rows
from workbench.cluster.usage import NotingContext, NotingPreparer, Usage, UsageCache
from workbench.engines.lookup import ArgosEngines, KeptLoaded
from workbench.errors import InputError
from workbench.glossary.store import Glossary
from workbench.outputs.parts import write_part
from workbench.records import Status
from workbench.run.pipeline import EngineLookup, needs_translation, translate_articles
from workbench.run.runner import prepare_each
from workbench.run.stats import RunStats
from workbench.settings import Settings
from workbench.text.reader import ArticleFile

#: Each worker's folder in its node's temporary directory: ``<prefix><pid>-<random>``.
FOLDER_PREFIX = "workbench-worker-"
#: The file in it whose lock the worker's process holds while it lives.
LOCK_NAME = "alive.lock"


@dataclass(frozen=True)
class WorkerPlan:
    """What every worker of a run needs: where to write, an empty store, the glossary.

    ``schema``: the bytes of an empty cache (``cache.subset.empty_copy``); ``rows``: packed
    rows every batch may use (approvals, the glossary's dictionary forms).
    """

    out_dir: Path
    glossary: Glossary
    languages: tuple[str, ...]
    tgt: str = "en"
    include_kept: bool = False
    #: The engine lookup to build on the worker (None: the installed Argos models). A
    #: benchmark's test double stands in here.
    engines: Callable[[Settings], EngineLookup] | None = None
    schema: bytes = b""
    rows: bytes = b""


@dataclass
class PartResult:
    """What a worker sends back for a batch: its manifest entry, counts, new cache rows.

    ``used``: each article's index entry (which keys it used), by index key; ``lemmas``: the
    dictionary-form tables the worker has used so far.
    """

    entry: dict
    stats: RunStats
    rows: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)
    used: dict[str, bytes] = field(default_factory=dict)
    lemmas: list[str] = field(default_factory=list)

    @property
    def translated(self) -> int:
        """Segments the worker's engine translated for this batch."""
        return self.stats.statuses[Status.TRANSLATED]


class ArticleWorker:
    """A Ray actor translating batches of articles into parts of the run's outputs."""

    def __init__(self, settings: Settings, plan: WorkerPlan) -> None:
        self.settings = settings.with_(threads=max(1, settings.threads or 1))
        self.plan = plan
        self._cache: UsageCache | None = None
        self._folder: str | None = None
        self._lock: int | None = None
        self._usage = Usage()
        self._context: NotingContext | None = None
        self._preparer: NotingPreparer | None = None
        #: Stale folders of lost workers on this node: removed, and left (could not be).
        self.swept: dict[str, list[str]] = {"removed": [], "left": []}

    def where(self) -> tuple[str, str, str]:
        """This worker's node, its host name and its folder (for ``run.json``)."""
        import ray

        if self._folder is None:  # made now, so the driver knows where it is if lost
            self._make_folder()
        return ray.get_runtime_context().get_node_id(), socket.gethostname(), \
            str(self._folder)

    def translate(self, number: int, items: Sequence[ArticleFile | InputError],
                  rows: bytes = b"") -> PartResult | str:
        """Translate a batch of articles into part ``number``, or say in a line why not.

        ``rows``: the cache rows the batch's articles used in their last run (packed).
        """
        problem = self._open()
        if problem:
            return problem
        assert self._context is not None and self._preparer is not None
        assert self._cache is not None
        load(self._cache, unpack_rows(rows))  # this batch's rows only
        marks = self._cache.high_water()
        self._usage.clear()
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
        used = self._usage.entries(items, stats.signatures, self.plan.tgt)
        return PartResult(entry, stats, self._cache.rows_after(marks), used,
                          sorted(self._usage.lemmas))

    def _make_folder(self) -> None:
        """This worker's folder, locked while its process lives; stale ones removed."""
        self.swept = sweep_stale(Path(tempfile.gettempdir()))
        self._folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        # Locked before it takes its name: a worker sweeping meanwhile sees no lock file
        # and a living process in the folder's name, and keeps the folder.
        taking = Path(self._folder) / f".{LOCK_NAME}"
        self._lock = os.open(taking, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        taking.rename(Path(self._folder) / LOCK_NAME)

    def _open(self) -> str | None:
        """Make this worker's store on its node and get ready; a line when it cannot."""
        if self._cache is not None:
            return None
        plan, host = self.plan, socket.gethostname()
        if not plan.out_dir.is_dir():
            return (f"worker on {host} does not see the output folder {plan.out_dir}: a "
                    "cluster run needs the inputs, the output folder and --models-dir on "
                    "a file system every node mounts at the same path")
        if self._folder is None:
            self._make_folder()
        store = Path(str(self._folder)) / "cache.db"
        store.write_bytes(plan.schema)  # an empty cache: no migration to run here
        cache = UsageCache(store)
        cache.usage = self._usage
        load(cache, unpack_rows(plan.rows), empty_first=False)
        self._cache = cache
        engines = plan.engines(self.settings) if plan.engines else \
            KeptLoaded(ArgosEngines(self.settings))
        self._context = NotingContext(engines, cache, RunStats(), plan.glossary, plan.tgt,
                                      usage=self._usage)
        self._preparer = NotingPreparer(cache, plan.languages, plan.glossary,
                                        self._context.find,
                                        functools.partial(needs_translation, tgt=plan.tgt),
                                        plan.tgt, usage=self._usage)
        return None

    def finish(self) -> dict[str, list[str]]:
        """Close and remove this worker's store (the driver has merged what it added).

        Returns the lost workers' folders this worker found on its node: removed and left.
        """
        if self._cache is not None:
            self._cache.close()
            self._cache = None
        if self._folder:
            with contextlib.suppress(OSError):
                shutil.rmtree(self._folder)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        if self._folder:  # lost workers of this run are gone by now: their folders too
            again = sweep_stale(Path(self._folder).parent)
            for kind in ("removed", "left"):
                self.swept[kind] += again[kind]
        return self.swept


def sweep_stale(temp: Path) -> dict[str, list[str]]:
    """Remove the folders of workers whose process is gone (nobody holds their lock).

    A folder of a worker still alive is locked and kept; a folder without a lock file (made
    by an earlier version) is removed when the process its name gives is gone.
    """
    swept: dict[str, list[str]] = {"removed": [], "left": []}
    for folder in sorted(temp.glob(f"{FOLDER_PREFIX}*")):
        if not folder.is_dir() or folder.is_symlink() or not _abandoned(folder):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        swept["left" if folder.exists() else "removed"].append(str(folder))
    return swept


def _abandoned(folder: Path) -> bool:
    """Whether no living worker owns ``folder``."""
    lock = folder / LOCK_NAME
    if not lock.exists():
        pid = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its worker lives
    finally:
        os.close(fd)  # also releases the lock just taken
    return True
