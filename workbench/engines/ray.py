"""Translation on a Ray cluster; everything else stays on the driver.

The driver reads and prepares articles, looks every segment up in the cache and sends only
the misses out, in the same token batches as a local run; each batch's English comes back,
is enforced against the glossary and committed to the cache at once. So a SQLite cache (one
host) stays authoritative, a killed driver loses at most the batches in flight, and a re-run
resumes from the cache as it does locally.

Translation runs in a pool of Ray actors, one CPU each, batches spread over them in turn
with at most two per actor in flight for each stream (back-pressure). An actor
loads a pair's model the first time it gets one of that pair's batches and keeps it for the
run. Actors are created with ``max_restarts=-1`` and ``max_task_retries=-1``: when a worker
process dies, Ray starts the actor again and re-runs the calls it had not answered, and the
driver, which takes each batch's result once, neither loses nor duplicates a record.

Models reach the workers by path: every node reads the same ``--models-dir`` (a shared
mount, or the same packages installed on each node). A worker without the model answers
each batch with one clear error naming its host and the path; it never hangs.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.engines.argos import ArgosEngine
from workbench.engines.base import Engine, Translation
from workbench.engines.lookup import ArgosEngines
from workbench.errors import WorkbenchError
from workbench.settings import Settings

#: Batches in flight per worker: one running, one queued, so no worker waits on the driver.
IN_FLIGHT_PER_WORKER = 2


class ClusterError(WorkbenchError):
    """The cluster cannot be reached or a worker cannot translate."""


@dataclass
class RayCluster:
    """A connection to Ray and the pool of translation workers, for one run."""

    address: str
    settings: Settings
    workers: int = 0
    started: float = field(default_factory=time.perf_counter)
    _actors: list[Any] = field(default_factory=list)
    _turn: int = 0

    def __post_init__(self) -> None:
        try:
            import ray
        except ImportError as err:
            raise ClusterError("--cluster ray needs Ray: pip install 'workbench[ray]'") from err
        self._ray = ray
        try:
            if not ray.is_initialized():
                target = None if self.address == "ray" else self.address
                ray.init(address=target, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
        except Exception as err:  # Ray raises many kinds; all mean "cannot connect"
            raise ClusterError(f"cannot connect to Ray at {self.address}: {err}") from err
        cpus = int(ray.cluster_resources().get("CPU", 1))
        per_worker = max(1, self.settings.threads or 1)
        self.workers = max(1, cpus // per_worker)
        worker = ray.remote(num_cpus=per_worker, max_restarts=-1,
                            max_task_retries=-1)(TranslationWorker)
        self._actors = [worker.remote(self.settings) for _ in range(self.workers)]

    def describe(self) -> dict:
        """What ``run.json`` says about the cluster."""
        return {"address": self.address, "workers": self.workers,
                "seconds": round(time.perf_counter() - self.started, 2)}

    def translate(self, package_dir: Path, batches: Iterable[Sequence[str]], n_best: int,
                  alignment: bool, prefixes: Sequence[Sequence[str | None] | None] | None = None
                  ) -> Iterator[list[Translation] | Exception]:
        """Each batch's translations, in order, as the workers finish them.

        At most :data:`IN_FLIGHT_PER_WORKER` batches per worker are out at once
        (back-pressure: the driver never queues a whole chunk on the cluster).
        """
        futures: deque[Any] = deque()
        limit = IN_FLIGHT_PER_WORKER * self.workers
        for n, texts in enumerate(batches):
            forced = list(prefixes[n]) if prefixes and prefixes[n] else None
            actor = self._actors[self._turn % len(self._actors)]  # spread over the workers
            self._turn += 1
            futures.append(actor.translate.remote(str(package_dir), list(texts), n_best,
                                                  alignment, forced))
            if len(futures) >= limit:
                yield self._result(futures.popleft())
        while futures:
            yield self._result(futures.popleft())

    def _result(self, future: Any) -> list[Translation] | Exception:
        """A batch's result; each call site waits on its own futures, in its own order."""
        try:
            outcome = self._ray.get(future)
        except Exception as err:  # a batch that failed for good fails alone
            return err
        if isinstance(outcome, str):  # the worker's own one-line error
            return ClusterError(outcome)
        return outcome

    def close(self) -> None:
        """Let the workers go (a local Ray instance stops with the process)."""
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors.clear()


class TranslationWorker:
    """A Ray actor: translates batches of any pair, loading each pair's model once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.with_(threads=max(1, settings.threads or 1))
        self.engines: dict[str, ArgosEngine] = {}

    def translate(self, package_dir: str, texts: list[str], n_best: int, alignment: bool,
                  prefixes: list[str | None] | None) -> list[Translation] | str:
        """The batch's translations, or one line saying why this worker cannot."""
        engine = self.engines.get(package_dir)
        if engine is None:
            from workbench.models.packages import load_package

            if not (Path(package_dir) / "model" / "model.bin").is_file():
                return (f"worker on {socket.gethostname()} (pid {os.getpid()}) has no model "
                        f"at {package_dir}: every node needs the same --models-dir")
            engine = self.engines[package_dir] = ArgosEngine(load_package(Path(package_dir)),
                                                             self.settings)
        return engine.translate_batch(texts, n_best=n_best, alignment=alignment,
                                      prefixes=prefixes)


class RayEngine(Engine):
    """One pair's engine whose translation runs on the cluster.

    Tokens are counted, signatures computed and prefixes checked on the driver with the
    package's tokenizer (the model itself is never loaded there).
    """

    def __init__(self, local: ArgosEngine, cluster: RayCluster) -> None:
        self.local = local
        self.cluster = cluster
        self.src, self.tgt = local.src, local.tgt
        self.batch_tokens = local.batch_tokens
        self.supports_prefix = True
        self._used = False

    def signature(self) -> str:
        """The same as a local run's: the cache is shared between both."""
        return self.local.signature()

    def count_tokens(self, text: str) -> int:
        """Source tokens, counted on the driver."""
        return self.local.count_tokens(text)

    def prefix_problem(self, prefix: str) -> str | None:
        """Checked on the driver, as locally."""
        return self.local.prefix_problem(prefix)

    @property
    def loaded(self) -> bool:
        """Whether this pair's model was used on the cluster in this run."""
        return self._used

    def translate_stream(self, batches: Iterable[Sequence[str]], n_best: int = 1,
                         alignment: bool = False) -> Iterator[list[Translation] | Exception]:
        """Batches out to the workers, results back in order."""
        self._used = True
        yield from self.cluster.translate(self.local.package.path, batches, n_best, alignment)

    def translate_batch(self, texts: Sequence[str], n_best: int = 1, alignment: bool = False,
                        prefixes: Sequence[str | None] | None = None) -> list[Translation]:
        """One batch on the cluster (the glossary's re-decoding uses this)."""
        self._used = True
        (outcome,) = self.cluster.translate(self.local.package.path, [texts], n_best,
                                            alignment, [prefixes] if prefixes else None)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@dataclass
class RayEngines:
    """Engine lookup for a cluster run: the local lookup's packages, translated remotely."""

    local: ArgosEngines
    cluster: RayCluster
    _engines: dict[tuple[str, str], Engine | None] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """Installation problems, as the local lookup found them."""
        return self.local.problems

    def __call__(self, src: str, tgt: str) -> Engine | None:
        """The cluster engine of a pair, or None when no package is installed."""
        if (src, tgt) not in self._engines:
            engine = self.local(src, tgt)
            self._engines[src, tgt] = RayEngine(engine, self.cluster) \
                if isinstance(engine, ArgosEngine) else engine
        return self._engines[src, tgt]

    def installed(self, src: str, tgt: str) -> bool:
        """Whether the pair has a package (on the driver, which every node mirrors)."""
        return self.local.installed(src, tgt)
