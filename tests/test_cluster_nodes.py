"""Nodes that leave and join: several real Ray nodes on this machine (``ray.cluster_utils``).

Articles go through the whole cluster data path and the real CTranslate2 engine with a
RANDOM-WEIGHT model (see conftest); what is checked is that the run completes with every
article's records once, whoever translated them, and what ``run.json``'s cluster section
says. Also an unreachable address and a worker too big for
any node, each one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scenario(name: str, models: Path) -> dict:
    """Run one multi-node scenario in a process of its own (Ray's state is per process)."""
    done = subprocess.run([sys.executable, str(Path(__file__).parent / "cluster_scenarios.py"),
                           name, str(models)], capture_output=True, text=True, timeout=400,
                          env={k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"})
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_node_lost_mid_run_hands_its_work_to_the_others(installed_models):
    found = scenario("lost", installed_models)
    run, described = found["run"], found["described"]
    assert run["complete"] and not run["errors"], run
    assert run["articles"] == run["in_records"] == 120 and run["contiguous"]
    assert run["records"] == run["unique"]  # every record once
    assert described["lost_workers"] >= 1 and described["resent"] >= 1, described
    assert sum(n["lost_actors"] for n in described["nodes"]) == described["lost_workers"]
    # The lost worker's store, in the temporary folder these simulated nodes share, was
    # removed by a worker that outlived it; nothing is left behind.
    assert described["left_behind"] == [], described
    # The segments each node translated add up to the run's (a lost batch's work was done
    # again elsewhere, and counted there).
    assert sum(n["segments"] for n in described["nodes"]) == run["translated"]


def test_a_node_that_joins_mid_run_gets_work(installed_models):
    found = scenario("joins", installed_models)
    run, described = found["run"], found["described"]
    assert run["complete"] and run["articles"] == run["in_records"] == 400, run
    assert run["records"] == run["unique"] and run["contiguous"]
    assert found["after_join"] > 3, found
    assert len(described["nodes"]) == 2, described
    assert all(node["segments"] > 0 for node in described["nodes"]), described
    assert sum(node["actors"] for node in described["nodes"]) == 2
    assert sum(node["segments"] for node in described["nodes"]) == run["translated"]


def test_a_worker_bigger_than_every_node_is_one_line(installed_models):
    found = scenario("too-big", installed_models)
    assert found["error"] == ("--threads 2 needs 2 CPUs on one node; the largest node of "
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


def test_ray_client_runs_give_the_records_of_a_local_run(installed_models):
    """`--cluster ray://HOST:PORT` (Ray Client, in the ray extra) from another process."""
    found = scenario("client", installed_models)
    assert found["remote_exit"] == 0 and found["local_exit"] == 0, found["stderr"]
    assert found["same_records"]
    described = found["cluster"]
    assert described["address"] == "ray://127.0.0.1:25017"
    assert described["nodes"] and sum(n["segments"] for n in described["nodes"]) > 0
