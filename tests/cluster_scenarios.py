"""Multi-node scenarios for tests/test_cluster_nodes.py, each run in a process of its own.

Ray keeps process-wide state (a connection, RAY_AUTH_MODE in the environment, its session
files); a test that starts its own cluster after another module's Ray instance can inherit
it, so each scenario starts, uses and stops its ``ray.cluster_utils.Cluster`` here, and
prints one JSON line for the test to check. Articles go through the whole cluster data path
and the real CTranslate2 engine with a RANDOM-WEIGHT model.

Usage: python tests/cluster_scenarios.py lost|joins|too-big|client MODELS_DIR
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ray
from ray.cluster_utils import Cluster

from workbench.cluster.driver import translate_on_cluster
from workbench.cluster.pool import ClusterError, RayCluster
from workbench.run.export import export
from workbench.run.progress import NoProgress
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [line.strip() for line in
             (ROOT / "seeds" / "002_56b54d490b5aedd0.txt").read_text("utf-8").splitlines()
             if len(line.split()) > 4]


def articles(folder: Path, count: int) -> Path:
    """``count`` German articles of four sentences, no sentence twice (nothing is cached)."""
    folder.mkdir()
    for n in range(count):
        lines = [f"{SENTENCES[(n + i) % len(SENTENCES)]} ({n}.{i})" for i in range(4)]
        (folder / f"a{n:04d}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


class After(NoProgress):
    """Calls ``then`` once, after the ``parts``-th part came back."""

    def __init__(self, parts: int, then) -> None:
        self.parts, self.then, self.seen = parts, then, 0

    def advance(self, n: int) -> None:
        self.seen += 1
        if self.seen == self.parts:
            self.then()


def cluster_run(models: Path, count: int, progress: NoProgress) -> tuple[dict, dict]:
    """A cluster run over ``count`` articles: what it did, and the merged records' count."""
    work = Path(tempfile.mkdtemp(prefix="wb-nodes-"))
    settings = Settings(models_dir=models, cache_path=work / "cache.db", cluster="ray")
    pool = RayCluster("ray", settings)
    result = translate_on_cluster(pool, [articles(work / "in", count)], work / "out",
                                  settings, progress, articles_per_part=2)
    export(work / "out", [])
    lines = [json.loads(line) for line in (work / "out" / "records.jsonl").open()]
    return ({"complete": result.stats.complete, "errors": result.stats.errors,
             "articles": result.stats.articles, "records": len(lines),
             "unique": len({(r["article"], r["index"]) for r in lines}),
             "in_records": len({r["article"] for r in lines}),
             "contiguous": all(r["index"] == 0 or r["index"] == p["index"] + 1
                               for p, r in zip([{"index": -1}, *lines[:-1]], lines,
                                               strict=True)),
             "translated": result.stats.statuses["translated"]},
            json.loads((work / "out" / "run.json").read_text())["cluster"])


def client(models: Path) -> dict:
    """A `--cluster ray://...` run of the CLI, from its own process, against a local run."""
    nodes = Cluster(initialize_head=True,
                    head_node_args={"num_cpus": 2, "ray_client_server_port": 25017})
    work = Path(tempfile.mkdtemp(prefix="wb-client-"))
    inputs = work / "in"
    inputs.mkdir()
    for stem in ("002_56b54d490b5aedd0", "003_1bb19d71bc8151fe"):
        (inputs / f"{stem}.txt").write_bytes((ROOT / "seeds" / f"{stem}.txt").read_bytes())
    # float32: int8 scores depend on the batch a segment is in (see tests/test_cluster.py)
    common = ["--models-dir", str(models), "--silent", "--glossary", str(ROOT / "glossary"),
              "--compute-type", "float32"]

    # Under `uv run` (the README's test command) Ray ships the driver's working directory to
    # the Ray Client server, which starts the job's server there with `uv run`. The checkout
    # may hold a user's `out/` (the README's first command writes one), with which that
    # server did not start: the jobs run from a copy of just the project.
    project = work / "project"
    project.mkdir()
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "workbench", project / "workbench",
                    ignore=shutil.ignore_patterns("__pycache__"))

    def translate(name: str, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "workbench", "translate", str(inputs),
                               "-o", str(work / name), "--cache", str(work / f"{name}.db"),
                               *common, *extra], capture_output=True, text=True, timeout=300,
                              cwd=project)
    session = nodes.head_node.get_session_dir_path()
    try:
        remote = translate("remote", "--cluster", "ray://127.0.0.1:25017")
        if remote.returncode != 0 and "Starting Ray client server failed" in remote.stderr:
            # The server of a job starts with `uv run` in the shipped project (Ray's uv hook):
            # on a fresh clone its first start failed while uv built the project, the next
            # one finds it built. A second failure is the test's failure.
            time.sleep(2)
            remote = translate("remote", "--cluster", "ray://127.0.0.1:25017")
    finally:
        nodes.shutdown()
        _stop_leftovers(session)
    local = translate("local")
    if remote.returncode == 0:
        export(work / "remote", [])  # merges the workers' parts
    same = remote.returncode == 0 and (work / "remote" / "records.jsonl").read_bytes() == \
        (work / "local" / "records.jsonl").read_bytes()
    cluster = json.loads((work / "remote" / "run.json").read_text())["cluster"] \
        if remote.returncode == 0 else None
    return {"remote_exit": remote.returncode, "local_exit": local.returncode,
            "same_records": same, "cluster": cluster, "stderr": remote.stderr[-2000:]}


def _stop_leftovers(session: str) -> None:
    """Stop the Ray Client server the cluster leaves running (it holds its port after)."""
    import os
    import signal

    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if session in command and int(proc.name) != os.getpid():
            with contextlib.suppress(OSError):
                os.kill(int(proc.name), signal.SIGKILL)


def main() -> None:
    name, models = sys.argv[1], Path(sys.argv[2])
    if name == "client":
        print(json.dumps(client(models)))
        return
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    ray.init(address=nodes.address, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    found: dict = {}
    try:
        if name == "too-big":
            try:
                RayCluster("ray", Settings(models_dir=models, threads=2))
            except ClusterError as err:
                found["error"] = str(err)
        elif name == "lost":
            worker = nodes.add_node(num_cpus=1)
            found["run"], found["described"] = cluster_run(
                models, 120, After(3, lambda: nodes.remove_node(worker, allow_graceful=False)))
        elif name == "joins":
            joined: list[float] = []

            def join() -> None:  # from the driver's thread, as ray.cluster_utils wants
                nodes.add_node(num_cpus=1)
                joined.append(time.perf_counter())

            found["run"], found["described"] = cluster_run(models, 400, After(1, join))
            found["after_join"] = time.perf_counter() - joined[0]
        else:
            raise SystemExit(f"unknown scenario {name!r}")
    finally:
        ray.shutdown()
        nodes.shutdown()
    print(json.dumps(found))


if __name__ == "__main__":
    main()
