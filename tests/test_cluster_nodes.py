"""Nodes that leave and join: several real Ray nodes on this machine (``ray.cluster_utils``).

Batches go through the real CTranslate2 engine with a RANDOM-WEIGHT model (see conftest);
what is checked is that every batch comes back, once, whoever translated it, and what
``run.json``'s cluster section says. Also an unreachable address and a worker too big for
any node, each one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.engines.ray import ClusterError, RayCluster
from workbench.models.packages import newest_packages
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [line.strip() for line in
             (ROOT / "seeds" / "002_56b54d490b5aedd0.txt").read_text("utf-8").splitlines()
             if len(line.split()) > 4]


@pytest.fixture
def nodes():
    import ray
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()  # another module's local instance
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


def german_package(models: Path) -> Path:
    packages = newest_packages(models)
    return packages[("de", "en")].path


def batches(count: int) -> list[list[str]]:
    return [[SENTENCES[(n + i) % len(SENTENCES)] for i in range(8)] for n in range(count)]


def translate_all(cluster: RayCluster, package: Path, work: list[list[str]],
                  during=None) -> list:
    results = []
    for n, outcome in enumerate(cluster.translate(package, work, 1, False)):
        results.append(outcome)
        if during is not None and n == 3:
            during()
    return results


def test_a_node_lost_mid_run_hands_its_work_to_the_others(nodes, installed_models):
    worker = nodes.add_node(num_cpus=1)
    settings = Settings(models_dir=installed_models)
    cluster = RayCluster("ray", settings)
    try:
        assert cluster.actors == 2
        work = batches(60)
        results = translate_all(cluster, german_package(installed_models), work,
                                during=lambda: nodes.remove_node(worker, allow_graceful=False))
        described = cluster.describe()
    finally:
        cluster.close()
    assert len(results) == len(work)
    assert all(isinstance(r, list) and len(r) == 8 for r in results), [
        r for r in results if not isinstance(r, list)][:1]
    assert described["lost_workers"] >= 1
    # Every segment was translated once, by some node (the lost one's unanswered batches
    # were sent again: counted apart).
    assert sum(n["segments"] for n in described["nodes"]) == 8 * len(work)
    assert sum(n["lost_actors"] for n in described["nodes"]) == described["lost_workers"]


def test_a_node_that_joins_mid_run_gets_work(nodes, installed_models):
    settings = Settings(models_dir=installed_models)
    cluster = RayCluster("ray", settings)
    try:
        assert cluster.actors == 1
        joined_at = []

        def join() -> None:  # from the driver's thread, as ray.cluster_utils wants
            nodes.add_node(num_cpus=1)
            joined_at.append(time.perf_counter())

        results = translate_all(cluster, german_package(installed_models), batches(400),
                                during=join)
        finished = time.perf_counter()
        described = cluster.describe()
    finally:
        cluster.close()
    assert all(isinstance(r, list) for r in results)
    assert finished - joined_at[0] > 3, "the run must outlast the join to mean anything"
    assert len(described["nodes"]) == 2, described
    assert all(node["segments"] > 0 for node in described["nodes"]), described
    assert sum(node["actors"] for node in described["nodes"]) == 2
    assert sum(node["segments"] for node in described["nodes"]) == 8 * len(results)


def test_a_worker_bigger_than_every_node_is_one_line(nodes, installed_models):
    with pytest.raises(ClusterError) as refused:
        RayCluster("ray", Settings(models_dir=installed_models, threads=2))
    assert str(refused.value) == ("--threads 2 needs 2 CPUs on one node; the largest node of "
                                  "the cluster has 1: lower --threads")


def test_an_unreachable_cluster_is_one_line_within_30_seconds(tmp_path, installed_models):
    article = tmp_path / "a.txt"
    article.write_text("Die Regierung hat heute den Haushalt vorgestellt.\n", encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "workbench", "translate", str(article), "-o",
                           str(tmp_path / "out"), "--models-dir", str(installed_models),
                           "--cache", str(tmp_path / "c.db"), "--cluster", "ray", "--silent",
                           "--no-glossary"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "RAY_ADDRESS": "127.0.0.1:6399"})
    elapsed = time.perf_counter() - started
    assert elapsed < 30, elapsed
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: cannot connect to Ray at 127.0.0.1:6399: nothing answers on "
                      "127.0.0.1:6399 (Connection refused); is the cluster up, and is "
                      "RAY_ADDRESS right?"], done.stderr
    assert "Traceback" not in done.stderr


def test_ray_client_runs_give_the_records_of_a_local_run(tmp_path, installed_models):
    """`--cluster ray://HOST:PORT` (Ray Client, in the ray extra) from another process."""
    import json

    import ray
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()
    cluster = Cluster(initialize_head=True,
                      head_node_args={"num_cpus": 2, "ray_client_server_port": 25017})
    inputs = tmp_path / "in"
    inputs.mkdir()
    for stem in ("002_56b54d490b5aedd0", "003_1bb19d71bc8151fe"):
        (inputs / f"{stem}.txt").write_bytes((ROOT / "seeds" / f"{stem}.txt").read_bytes())
    common = ["--models-dir", str(installed_models), "--silent", "--glossary",
              str(ROOT / "glossary")]
    try:
        remote = subprocess.run(
            [sys.executable, "-m", "workbench", "translate", str(inputs), "-o",
             str(tmp_path / "remote"), "--cache", str(tmp_path / "remote.db"), "--cluster",
             "ray://127.0.0.1:25017", *common], capture_output=True, text=True, timeout=600)
    finally:
        cluster.shutdown()
    assert remote.returncode == 0, remote.stderr[-3000:]
    local = subprocess.run(
        [sys.executable, "-m", "workbench", "translate", str(inputs), "-o",
         str(tmp_path / "local"), "--cache", str(tmp_path / "local.db"), *common],
        capture_output=True, text=True, timeout=600)
    assert local.returncode == 0, local.stderr[-3000:]
    assert (tmp_path / "remote" / "records.jsonl").read_bytes() == \
        (tmp_path / "local" / "records.jsonl").read_bytes()
    described = json.loads((tmp_path / "remote" / "run.json").read_text())["cluster"]
    assert described["address"] == "ray://127.0.0.1:25017"
    assert described["nodes"] and sum(n["segments"] for n in described["nodes"]) > 0
