"""A pool of Ray actors for one run: connect, dispatch calls, survive lost and joining nodes.

Every call goes to the least busy actor, at most two in flight per actor (back-pressure), and
outcomes are taken as they finish (``ray.wait``), so a slow actor delays only its own calls
and nothing caps the busy actors below the calls waiting. Actors are not restarted in place
(``max_restarts=0``): a lost one (its node gone, its process killed) leaves the pool at once
and its calls go to the others, so a restart with nowhere to run can never hang the run;
CPUs that come free (a node that joins, a lost one's back) get new actors within seconds.
Each call's outcome is taken once, so nothing is lost or done twice.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import WorkbenchError
from workbench.settings import Settings

#: Calls in flight per actor: one running, one queued, so no actor waits on the driver.
IN_FLIGHT_PER_WORKER = 2
#: How often the pool looks for CPUs that came free (a node joined).
JOIN_CHECK_SECONDS = 2.0
#: How long a run waits for a CPU when every actor was lost.
NO_WORKER_SECONDS = 60
#: How long the address may take to answer before the run stops.
CONNECT_SECONDS = 5.0


class ClusterError(WorkbenchError):
    """The cluster cannot be reached or a worker cannot do its work."""


@dataclass
class RayCluster:
    """A connection to Ray and, once :meth:`start`-ed, a pool of actors for one run.

    ``target`` is where to connect (``host:port``, ``ray://host:port``; None: a local Ray
    instance); the CLI resolves it from ``--cluster`` and ``RAY_ADDRESS``. Each actor takes
    ``--threads`` CPUs, checked at once against the largest node.
    """

    address: str
    settings: Settings
    target: str | None = None
    workers: int = 0
    started: float = field(default_factory=time.perf_counter)
    _actors: list[Any] = field(default_factory=list)
    _every: list[Any] = field(default_factory=list)  # every actor of the run, lost ones too
    _busy: dict[int, int] = field(default_factory=dict)  # in flight per actor
    _where: dict[int, Any] = field(default_factory=dict)  # each actor's (node, host) future
    _segments: dict[int, int] = field(default_factory=dict)  # translated per actor
    _lost: int = 0
    _lost_keys: set[int] = field(default_factory=set)  # lost actors (describe may follow close)
    _resent: int = 0  # calls sent again because their actor was lost
    _checked_joins: float = 0.0
    _worker: Any = None
    _worker_args: tuple = ()

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
        largest = max((node["Resources"].get("CPU", 0) for node in self.nodes()), default=0)
        if largest < self.per_worker:
            raise ClusterError(f"--threads {self.per_worker} needs {self.per_worker} CPUs on "
                               f"one node; the largest node of the cluster has {largest:g}: "
                               "lower --threads")

    def nodes(self) -> list[dict]:
        """The cluster's live nodes, as Ray describes them."""
        return [node for node in self._ray.nodes() if node.get("Alive")]

    @property
    def cpus(self) -> int:
        """The cluster's CPUs now."""
        return int(self._ray.cluster_resources().get("CPU", 1))

    def start(self, worker_class: type, *args: Any) -> None:
        """Start one actor of ``worker_class(settings, *args)`` per ``--threads`` CPUs.

        The class needs a ``where()`` method: its node id, host name and temporary folder,
        for ``run.json``.
        """
        self._worker = self._ray.remote(num_cpus=self.per_worker, max_restarts=0,
                                        max_task_retries=0)(worker_class)
        self._worker_args = args
        for _ in range(max(1, self.cpus // self.per_worker)):
            self._add_actor()

    @property
    def actors(self) -> int:
        """Actors in the pool now (lost ones leave it; ones on joining nodes enter it)."""
        return len(self._actors)

    def _add_actor(self) -> None:
        actor = self._worker.remote(self.settings, *self._worker_args)
        key = id(actor)
        self._actors.append(actor)
        self._every.append(actor)
        self._busy[key], self._segments[key] = 0, 0
        self._where[key] = actor.where.remote()
        self.workers = max(self.workers, len(self._actors))

    def _admit_joined_nodes(self) -> None:
        """Start actors on CPUs that came free: a node joined, or a lost one's came back."""
        now = time.perf_counter()
        if now - self._checked_joins < JOIN_CHECK_SECONDS:
            return
        self._checked_joins = now
        free = int(self._ray.available_resources().get("CPU", 0)) // self.per_worker
        for _ in range(free):
            self._add_actor()

    def describe(self, swept: dict[str, list[str]] | None = None) -> dict:
        """What ``run.json`` says about the cluster: address, nodes, actors, segments.

        ``swept``: the lost workers' folders the others removed (``removed``) or could not
        (``left``); a lost worker's folder in neither is named in ``left`` too, with its
        node, as nothing on that node removed it.
        """
        nodes: dict[str, dict] = {}
        swept = swept or {"removed": [], "left": []}
        left = [{"path": path, "host": None, "node": None} for path in swept["left"]]
        for actor in self._every:
            key = id(actor)
            try:
                node, host, folder = self._ray.get(self._where[key], timeout=5)
            except Exception:  # an actor that never started
                if not self._segments[key]:
                    continue
                node, host, folder = "unknown", "unknown", ""
            if key in self._lost_keys and folder and folder not in swept["removed"] \
                    and folder not in swept["left"]:
                left.append({"path": folder, "host": host, "node": node})
            entry = nodes.setdefault(node, {"node": node, "host": host, "actors": 0,
                                            "lost_actors": 0, "segments": 0})
            entry["lost_actors" if key in self._lost_keys else "actors"] += 1
            entry["segments"] += self._segments[key]
        gcs = None
        with contextlib.suppress(Exception):
            gcs = self._ray.get_runtime_context().gcs_address
        return {"address": self.target or self.address, "gcs_address": gcs,
                "workers": self.workers, "lost_workers": self._lost,
                "resent": self._resent, "left_behind": left,
                "nodes": sorted(nodes.values(), key=lambda n: n["node"]),
                "seconds": round(time.perf_counter() - self.started, 2)}

    def run(self, method: str, calls: Iterable[tuple], count: Callable[[Any], int]
            ) -> Iterator[tuple[int, Any]]:
        """``(n, outcome)`` of each call ``actor.method(*args)``, in the order they finish.

        ``n`` numbers the calls from 0. An outcome is the method's return value, a
        :class:`ClusterError` for the one line a worker returned instead (a ``str``), or the
        exception the call raised. ``count(outcome)`` is the work a call did (segments
        translated), for ``run.json``. A call whose actor was lost is sent to another; calls
        are drawn from ``calls`` only as actors free up.
        """
        pending = iter(enumerate(calls))
        jobs: dict[Any, tuple[int, tuple, int]] = {}
        exhausted = False
        while True:
            while not exhausted and len(jobs) < IN_FLIGHT_PER_WORKER * max(1, self.actors):
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                self._submit(jobs, method, *item)
            if not jobs:
                return
            ready, _ = self._ray.wait(list(jobs), num_returns=1, timeout=1.0)
            self._admit_joined_nodes()
            for future in ready:
                n, args, key = jobs.pop(future)
                self._busy[key] = max(0, self._busy.get(key, 1) - 1)
                outcome = self._outcome(future)
                if isinstance(outcome, _Lost):
                    self._drop(key)
                    self._resent += 1
                    if not self._actors:
                        self._await_workers()
                    self._submit(jobs, method, n, args)
                    continue
                if not isinstance(outcome, Exception):
                    self._segments[key] = self._segments.get(key, 0) + count(outcome)
                yield n, outcome

    def _submit(self, jobs: dict, method: str, n: int, args: tuple) -> None:
        actor = min(self._actors, key=lambda a: self._busy[id(a)])
        self._busy[id(actor)] += 1
        jobs[getattr(actor, method).remote(*args)] = (n, args, id(actor))

    def _outcome(self, future: Any) -> Any:
        """A call's result; a lost actor is told apart from a call that failed."""
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

        try:
            outcome = self._ray.get(future)
        except (RayActorError, ActorDiedError, ActorUnavailableError):
            return _Lost()
        except Exception as err:  # a call that failed for good fails alone
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
        self._lost_keys.add(key)
        with contextlib.suppress(Exception):
            self._ray.kill(actor, no_restart=True)

    def _await_workers(self) -> None:
        """Every actor was lost: wait for CPUs to start new ones on, then give up in a line."""
        deadline = time.perf_counter() + NO_WORKER_SECONDS
        while not self._actors:
            self._checked_joins = 0.0
            self._admit_joined_nodes()
            if self._actors:
                return
            if time.perf_counter() > deadline:
                raise ClusterError(f"every worker was lost and no CPU came free for "
                                   f"{NO_WORKER_SECONDS} s; what was translated is cached: "
                                   "run again to finish")
            time.sleep(1.0)

    def close(self, farewell: str | None = None) -> list[Any]:
        """Let the actors go (a local Ray instance stops with the process).

        ``farewell``: a method each actor runs first (to remove its temporary files); what
        each returned is returned (nothing for an actor that did not answer in 30 s).
        """
        said: list[Any] = []
        if farewell:
            with contextlib.suppress(Exception):
                said = self._ray.get([getattr(a, farewell).remote() for a in self._actors],
                                     timeout=30)
        for actor in self._actors:
            with contextlib.suppress(Exception):
                self._ray.kill(actor, no_restart=True)
        self._actors.clear()
        return said


class _Lost:
    """A call whose actor was lost before answering: it goes to another actor."""


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
