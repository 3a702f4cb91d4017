"""A run stopped mid-way (SIGTERM, or killed outright) leaves a folder the next run accepts.

Runs use the RANDOM-WEIGHT test models (see conftest): only structure is checked.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.outputs.ownership import claimed

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden.\n"


def _args(inputs: Path, out: Path, models: Path, cache: Path, *extra: str) -> list[str]:
    return ["translate", str(inputs), "-o", str(out), "--silent", "--models-dir", str(models),
            "--cache", str(cache), "--no-glossary", *extra]


def _articles(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        (folder / f"a{n:04d}.txt").write_text(f"Artikel {n}.\n{GOOD}", encoding="utf-8")
    return folder


def test_an_output_renamed_into_place_before_run_json_is_still_ours(tmp_path,
                                                                    installed_models):
    """A command stopped (an exception, SIGTERM) between an output's rename and the
    run.json that lists it: the folder's lock says who wrote it."""
    inputs = _articles(tmp_path / "in", 2)
    out, cache = tmp_path / "out", tmp_path / "c.db"
    first = CliRunner().invoke(cli, _args(inputs, out, installed_models, cache,
                                          "--format", "jsonl"))
    assert first.exit_code == 0, first.output
    with pytest.raises(RuntimeError), claimed(out, new_run=True):
        (out / "records.tmx").write_text("half a run's TMX", encoding="utf-8")
        raise RuntimeError("killed here")
    again = CliRunner().invoke(cli, _args(inputs, out, installed_models, cache,
                                          "--format", "jsonl,tmx"))
    assert again.exit_code == 0, again.output
    assert (out / "records.tmx").read_text(encoding="utf-8").startswith("<?xml")


def test_a_users_file_under_our_name_is_still_refused(tmp_path, installed_models):
    inputs = _articles(tmp_path / "in", 1)
    out, cache = tmp_path / "out", tmp_path / "c.db"
    assert CliRunner().invoke(cli, _args(inputs, out, installed_models, cache,
                                         "--format", "jsonl")).exit_code == 0
    (out / "records.tmx").write_text("mine", encoding="utf-8")  # after the run: not ours
    result = CliRunner().invoke(cli, _args(inputs, out, installed_models, cache,
                                           "--format", "jsonl,tmx"))
    assert result.exit_code == 1 and "was not written by Workbench" in result.output
    assert (out / "records.tmx").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("delay", [0.2, 0.8, 1.6])  # different phases of the run
def test_sigterm_stops_a_run_cleanly_and_the_next_run_finishes(tmp_path, installed_models,
                                                               delay):
    inputs = _articles(tmp_path / "in", 2000)
    out, cache = tmp_path / "out", tmp_path / "c.db"
    args = _args(inputs, out, installed_models, cache, "--format", "jsonl,tmx,xliff,html")
    run = subprocess.Popen([sys.executable, "-m", "workbench", *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "run.json").exists() and time.monotonic() < deadline and \
            run.poll() is None:
        time.sleep(0.05)
    time.sleep(delay)
    if run.poll() is not None:
        pytest.fail(f"the run ended within {delay} s of starting to write: give it more work")
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 143, stderr
    assert "Stopped by SIGTERM" in stderr and "Traceback" not in stderr
    # Stopped before its first output, the run takes back the folder it made; later, every
    # temporary file is gone.
    left = [p.name for p in out.iterdir() if p.name.startswith(".")] if out.exists() else []
    assert left == [], left
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    records = [json.loads(line) for line in (out / "records.jsonl").open(encoding="utf-8")]
    assert len({r["article"] for r in records}) == 2000
