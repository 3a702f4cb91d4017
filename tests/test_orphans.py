"""Hostile inputs, round two, case 4: preparation workers (and multiprocessing's resource
tracker) end with the run's process, whatever signal it got: nothing is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_workers_die_with_the_run(tmp_path, seeds_dir, sig):
    corpus = tmp_path / "in"
    corpus.mkdir()
    text = "\n".join(p.read_text("utf-8") for p in sorted(seeds_dir.glob("*.txt")))
    for n in range(1500):  # enough that workers start and are still busy when it is killed
        (corpus / f"a{n:05d}.txt").write_text(f"{n}\n{text}", encoding="utf-8")
    (tmp_path / "models").mkdir()
    env = {**os.environ, "WORKBENCH_MODELS_DIR": str(tmp_path / "models")}
    run = subprocess.Popen(
        [sys.executable, "-m", "workbench", "translate", str(corpus), "-o", str(tmp_path / "o"),
         "--silent", "--no-glossary", "--cache", str(tmp_path / "c.db")],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    children: list[int] = []
    while time.monotonic() < deadline and len(children) < 3 and run.poll() is None:
        children = _children(run.pid)  # two workers and the resource tracker
        time.sleep(0.05)
    assert run.poll() is None and len(children) >= 3, "no workers started"
    run.send_signal(sig)
    run.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(_alive, children)):
        time.sleep(0.1)
    left = [pid for pid in children if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"left behind after {sig.name}: {left}"
