"""Multi-node scenarios for tests/test_cluster_nodes.py, each run in a process of its own.

Ray keeps process-wide state (a connection, RAY_AUTH_MODE in the environment, its session
files); a test that starts its own cluster after another module's Ray instance can inherit
it, so each scenario starts, uses and stops its ``ray.cluster_utils.Cluster`` here, and
prints one JSON line for the test to check. Batches go through the real CTranslate2 engine
with a RANDOM-WEIGHT model.

Usage: python tests/cluster_scenarios.py lost|joins|too-big|client MODELS_DIR
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ray
from ray.cluster_utils import Cluster

from workbench.engines.ray import ClusterError, RayCluster
from workbench.models.packages import newest_packages
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [line.strip() for line in
             (ROOT / "seeds" / "002_56b54d490b5aedd0.txt").read_text("utf-8").splitlines()
             if len(line.split()) > 4]


def batches(count: int) -> list[list[str]]:
    return [[SENTENCES[(n + i) % len(SENTENCES)] for i in range(8)] for n in range(count)]


def run(cluster: RayCluster, package: Path, work: list[list[str]], during) -> list:
    results = []
    for n, outcome in enumerate(cluster.translate(package, work, 1, False)):
        results.append(outcome)
        if n == 3:
            during()
    return results


def client(models: Path) -> dict:
    """A `--cluster ray://...` run of the CLI, from its own process, against a local run."""
    nodes = Cluster(initialize_head=True,
                    head_node_args={"num_cpus": 2, "ray_client_server_port": 25017})
    work = Path(tempfile.mkdtemp(prefix="wb-client-"))
    inputs = work / "in"
    inputs.mkdir()
    for stem in ("002_56b54d490b5aedd0", "003_1bb19d71bc8151fe"):
        (inputs / f"{stem}.txt").write_bytes((ROOT / "seeds" / f"{stem}.txt").read_bytes())
    common = ["--models-dir", str(models), "--silent", "--glossary", str(ROOT / "glossary")]

    def translate(name: str, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "workbench", "translate", str(inputs),
                               "-o", str(work / name), "--cache", str(work / f"{name}.db"),
                               *common, *extra], capture_output=True, text=True, timeout=300)
    session = nodes.head_node.get_session_dir_path()
    try:
        remote = translate("remote", "--cluster", "ray://127.0.0.1:25017")
    finally:
        nodes.shutdown()
        _stop_leftovers(session)
    local = translate("local")
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
    package = newest_packages(models)[("de", "en")].path
    found: dict = {}
    try:
        if name == "too-big":
            try:
                RayCluster("ray", Settings(models_dir=models, threads=2))
            except ClusterError as err:
                found["error"] = str(err)
        elif name == "lost":
            worker = nodes.add_node(num_cpus=1)
            pool = RayCluster("ray", Settings(models_dir=models))
            work = batches(60)
            results = run(pool, package, work,
                          lambda: nodes.remove_node(worker, allow_graceful=False))
            found.update(batches=len(work), results=len(results),
                         all_lists=all(isinstance(r, list) and len(r) == 8 for r in results),
                         described=pool.describe())
            pool.close()
        elif name == "joins":
            pool = RayCluster("ray", Settings(models_dir=models))
            joined: list[float] = []

            def join() -> None:  # from the driver's thread, as ray.cluster_utils wants
                nodes.add_node(num_cpus=1)
                joined.append(time.perf_counter())

            work = batches(400)
            results = run(pool, package, work, join)
            found.update(batches=len(work), after_join=time.perf_counter() - joined[0],
                         all_lists=all(isinstance(r, list) for r in results),
                         described=pool.describe())
            pool.close()
        else:
            raise SystemExit(f"unknown scenario {name!r}")
    finally:
        ray.shutdown()
        nodes.shutdown()
    print(json.dumps(found))


if __name__ == "__main__":
    main()
