"""Translation on a Ray cluster; everything else stays on the driver.

The driver reads and prepares articles, looks every segment up in the cache and sends only
the misses out, in the same token batches as a local run; each batch's English comes back,
is enforced against the glossary and committed to the cache at once. So a SQLite cache (one
host) stays authoritative, a killed driver loses at most the batches in flight, and a re-run
resumes from the cache as it does locally.

Translation runs in a pool of Ray actors (``--threads`` CPUs each, checked at start against
the largest node). Each batch goes to the least busy actor, at most two in flight per actor
(back-pressure), and results are taken as they finish (``ray.wait``), then handed to the
pipeline in order. An actor loads a pair's model the first time it gets one of that pair's
batches and keeps it. Actors are not restarted in place (``max_restarts=0``): a lost one (its
node gone, its process killed) leaves the pool at once and its batches go to the others, so a
restart with nowhere to run can never hang the run; CPUs that come free (a node that joins,
a lost one's back) get new actors within seconds. The driver takes each batch's result once,
so nothing is lost or duplicated.

Models reach the workers by path: every node reads the same ``--models-dir`` (a shared
mount, or the same packages installed on each node). A worker without the model answers
each batch with one clear error naming its host and the path; it never hangs.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
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
#: How often the pool looks for CPUs that came free (a node joined).
JOIN_CHECK_SECONDS = 2.0
#: How long a run waits for a CPU when every worker was lost.
NO_WORKER_SECONDS = 60
#: How long the address may take to answer before the run stops.
CONNECT_SECONDS = 5.0


class ClusterError(WorkbenchError):
    """The cluster cannot be reached or a worker cannot translate."""


@dataclass
class RayCluster:
    """A connection to Ray and the pool of translation workers, for one run.

    ``target`` is where to connect (``host:port``, ``ray://host:port``; None: a local Ray
    instance); the CLI resolves it from ``--cluster`` and ``RAY_ADDRESS``.
    """

    address: str
    settings: Settings
    target: str | None = None
    #: The actor class (a benchmark's test double may stand in for the engine).
    worker_class: type | None = None
    workers: int = 0
    started: float = field(default_factory=time.perf_counter)
    _actors: list[Any] = field(default_factory=list)
    _every: list[Any] = field(default_factory=list)  # every actor of the run, lost ones too
    _busy: dict[int, int] = field(default_factory=dict)  # in flight per actor
    _where: dict[int, Any] = field(default_factory=dict)  # each actor's (node, host) future
    _segments: dict[int, int] = field(default_factory=dict)  # translated per actor
    _lost: int = 0
    _lost_segments: int = 0  # segments sent again because their worker was lost
    _checked_joins: float = 0.0

    def __post_init__(self) -> None:
        try:
            import ray
        except ImportError as err:
            raise ClusterError("--cluster ray needs Ray: pip install 'workbench[ray]'") from err
        self._ray = ray
        if self.target is not None:
            _check_reachable(self.target)
        try:
            if not ray.is_initialized():
                ray.init(address=self.target, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
        except Exception as err:  # Ray raises many kinds; all mean "cannot connect"
            raise ClusterError(f"cannot connect to Ray at {self.target or self.address}: "
                               f"{err}") from err
        self.per_worker = max(1, self.settings.threads or 1)
        largest = max((node["Resources"].get("CPU", 0) for node in ray.nodes()
                       if node.get("Alive")), default=0)
        if largest < self.per_worker:
            raise ClusterError(f"--threads {self.per_worker} needs {self.per_worker} CPUs on "
                               f"one node; the largest node of the cluster has {largest:g}: "
                               "lower --threads")
        self._worker = ray.remote(num_cpus=self.per_worker, max_restarts=0,
                                  max_task_retries=0)(self.worker_class or TranslationWorker)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        for _ in range(max(1, cpus // self.per_worker)):
            self._add_actor()

    @property
    def actors(self) -> int:
        """Workers in the pool now (lost ones leave it; ones on joining nodes enter it)."""
        return len(self._actors)

    def _add_actor(self) -> None:
        actor = self._worker.remote(self.settings)
        key = id(actor)
        self._actors.append(actor)
        self._every.append(actor)
        self._busy[key], self._segments[key] = 0, 0
        self._where[key] = actor.where.remote()
        self.workers = max(self.workers, len(self._actors))

    def _admit_joined_nodes(self) -> None:
        """Start workers on CPUs that came free: a node joined, or a lost one's came back."""
        now = time.perf_counter()
        if now - self._checked_joins < JOIN_CHECK_SECONDS:
            return
        self._checked_joins = now
        free = int(self._ray.available_resources().get("CPU", 0)) // self.per_worker
        for _ in range(free):
            self._add_actor()

    def describe(self) -> dict:
        """What ``run.json`` says about the cluster: address, nodes, actors, segments."""
        nodes: dict[str, dict] = {}
        alive = {id(a) for a in self._actors}
        for actor in self._every:
            key = id(actor)
            try:
                node, host = self._ray.get(self._where[key], timeout=5)
            except Exception:  # a worker that never started
                if not self._segments[key]:
                    continue
                node, host = "unknown", "unknown"
            entry = nodes.setdefault(node, {"node": node, "host": host, "actors": 0,
                                            "lost_actors": 0, "segments": 0})
            entry["actors" if key in alive else "lost_actors"] += 1
            entry["segments"] += self._segments[key]
        gcs = None
        with contextlib.suppress(Exception):
            gcs = self._ray.get_runtime_context().gcs_address
        return {"address": self.target or self.address, "gcs_address": gcs,
                "workers": self.workers, "lost_workers": self._lost,
                "segments_from_lost_workers": self._lost_segments,
                "nodes": sorted(nodes.values(), key=lambda n: n["node"]),
                "seconds": round(time.perf_counter() - self.started, 2)}

    def translate(self, package_dir: Path, batches: Iterable[Sequence[str]], n_best: int,
                  alignment: bool, prefixes: Sequence[Sequence[str | None] | None] | None = None
                  ) -> Iterator[list[Translation] | Exception]:
        """Each batch's translations, in order, whichever worker finishes it.

        Every batch goes to the least busy worker, at most :data:`IN_FLIGHT_PER_WORKER` per
        worker (back-pressure); results are taken as they finish (``ray.wait``), so a slow
        worker delays only its own batches. A worker that is lost (its node gone, its process
        killed) leaves the pool and its batches go to the others; CPUs that come free (a node
        joining) get new workers.
        """
        pending = iter(enumerate(batches))
        jobs: dict[Any, tuple[int, list[str], list[str | None] | None, int]] = {}
        done: dict[int, list[Translation] | Exception] = {}
        waiting_for = 0
        exhausted = False
        while True:
            while not exhausted and len(jobs) < IN_FLIGHT_PER_WORKER * max(1, self.actors):
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                n, texts = item
                forced = list(prefixes[n]) if prefixes and prefixes[n] else None
                self._submit(jobs, n, list(texts), forced, package_dir, n_best, alignment)
            while waiting_for in done:
                yield done.pop(waiting_for)
                waiting_for += 1
            if not jobs:
                if exhausted:
                    return
                continue
            ready, _ = self._ray.wait(list(jobs), num_returns=1, timeout=1.0)
            self._admit_joined_nodes()
            for future in ready:
                n, texts, forced, key = jobs.pop(future)
                self._busy[key] = max(0, self._busy.get(key, 1) - 1)
                outcome = self._outcome(future)
                if isinstance(outcome, _Lost):
                    self._drop(key)
                    self._lost_segments += len(texts)
                    if not self._actors:
                        self._await_workers()
                    self._submit(jobs, n, texts, forced, package_dir, n_best, alignment)
                    continue
                if not isinstance(outcome, Exception):
                    self._segments[key] = self._segments.get(key, 0) + len(texts)
                done[n] = outcome

    def _submit(self, jobs: dict, n: int, texts: list[str], forced: list[str | None] | None,
                package_dir: Path, n_best: int, alignment: bool) -> None:
        actor = min(self._actors, key=lambda a: self._busy[id(a)])
        self._busy[id(actor)] += 1
        future = actor.translate.remote(str(package_dir), texts, n_best, alignment, forced)
        jobs[future] = (n, texts, forced, id(actor))

    def _outcome(self, future: Any) -> list[Translation] | Exception:
        """A batch's result; a lost worker is told apart from a batch that failed."""
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

        try:
            outcome = self._ray.get(future)
        except (RayActorError, ActorDiedError, ActorUnavailableError):
            return _Lost()
        except Exception as err:  # a batch that failed for good fails alone
            return err
        if isinstance(outcome, str):  # the worker's own one-line error
            return ClusterError(outcome)
        return outcome

    def _drop(self, key: int) -> None:
        actor = next((a for a in self._actors if id(a) == key), None)
        if actor is None:
            return
        self._actors.remove(actor)
        self._lost += 1
        with contextlib.suppress(Exception):
            self._ray.kill(actor, no_restart=True)

    def _await_workers(self) -> None:
        """Every worker was lost: wait for CPUs to start new ones on, then give up in a line."""
        deadline = time.perf_counter() + NO_WORKER_SECONDS
        while not self._actors:
            self._checked_joins = 0.0
            self._admit_joined_nodes()
            if self._actors:
                return
            if time.perf_counter() > deadline:
                raise ClusterError(f"every translation worker was lost and no CPU came free "
                                   f"for {NO_WORKER_SECONDS} s; what was translated is "
                                   "cached: run again to finish")
            time.sleep(1.0)

    def close(self) -> None:
        """Let the workers go (a local Ray instance stops with the process)."""
        for actor in self._actors:
            with contextlib.suppress(Exception):
                self._ray.kill(actor, no_restart=True)
        self._actors.clear()


class _Lost:
    """A batch whose worker was lost before answering: it goes to another worker."""


def _check_reachable(target: str) -> None:
    """Refuse an address nobody answers on in a few seconds (Ray would retry for minutes)."""
    address = target.removeprefix("ray://")
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return  # "auto", "local" and the like: Ray's to resolve
    try:
        socket.create_connection((host.strip("[]"), int(port)),
                                 timeout=CONNECT_SECONDS).close()
    except OSError as err:
        raise ClusterError(f"cannot connect to Ray at {target}: nothing answers on "
                           f"{host}:{port} ({err.strerror or err}); is the cluster up, and is "
                           "RAY_ADDRESS right?") from err


class TranslationWorker:
    """A Ray actor: translates batches of any pair, loading each pair's model once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.with_(threads=max(1, settings.threads or 1))
        self.engines: dict[str, ArgosEngine] = {}

    def where(self) -> tuple[str, str]:
        """The node this worker runs on, and its host name (for ``run.json``)."""
        import ray

        return ray.get_runtime_context().get_node_id(), socket.gethostname()

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
