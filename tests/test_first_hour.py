"""A new user's first hour (issue 24): init's next steps work verbatim, and each small defect
found on the way stays fixed. Runs use the RANDOM-WEIGHT test models."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden.\n"


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_the_steps_init_prints_work_verbatim(tmp_path, installed_models, monkeypatch):
    result = invoke("init", str(tmp_path / "news desk"))
    assert result.exit_code == 0, result.output
    step = result.output.strip().splitlines()[-1].strip()
    assert step.startswith("cd ") and " && workbench translate incoming -o out" in step
    folder = Path(shlex.split(step)[1])
    (folder / "incoming" / "a.txt").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(folder)
    command = shlex.split(step.split(" && ", 1)[1])[1:]
    result = invoke(*command, "--silent", env={"WORKBENCH_MODELS_DIR": str(installed_models)})
    assert result.exit_code == 0, result.output
    assert (folder / "out" / "records.jsonl").read_text().strip()
    assert json.loads((folder / "out" / "run.json").read_text())["project"] == str(folder)


def test_installing_an_installed_language_needs_no_index(tmp_path, random_archives):
    models = tmp_path / "models"
    assert invoke("models", "install", str(random_archives["de"]), "--models-dir",
                  str(models)).exit_code == 0
    result = invoke("models", "install", "de", "--models-dir", str(models), "--index-url",
                    "http://127.0.0.1:9/unreachable.json")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Already installed: translate-de_en")


def test_an_unreachable_index_is_among_the_runs_errors(tmp_path, seeds_dir):
    (tmp_path / "models").mkdir()
    result = invoke("translate", str(seeds_dir), "-o", str(tmp_path / "out"), "--silent",
                    "--models-dir", str(tmp_path / "models"), "--cache", str(tmp_path / "c.db"),
                    "--install-missing", "--index-url", "http://127.0.0.1:9/index.json")
    assert result.exit_code == 3, result.output
    errors = json.loads((tmp_path / "out" / "run.json").read_text())["errors"]
    assert any("package index" in e for e in errors), errors
    assert result.output.count("Error: ") == len(errors)


def _reviewed_run(tmp_path: Path, models: Path) -> tuple[Path, Path]:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    cache = tmp_path / "run-cache.db"
    result = invoke("translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--silent",
                    "--models-dir", str(models), "--cache", str(cache), "--no-glossary",
                    "--format", "jsonl,sqlite")
    assert result.exit_code == 0, result.output
    return tmp_path / "out", cache


def _corrections(tmp_path: Path, out: Path, terms: list) -> Path:
    record = json.loads((out / "records.jsonl").read_text().splitlines()[0])
    manifest = json.loads((out / "run.json").read_text())
    path = tmp_path / "corrections.json"
    path.write_text(json.dumps({"workbench_corrections": 1,
                                "run": f"{manifest['started']}|{out.resolve()}",
                                "corrections": [{"src_lang": record["src_lang"],
                                                 "tgt_lang": "en", "src": record["src"],
                                                 "tgt": "The reviewed English."}],
                                "terms": terms}), encoding="utf-8")
    return path


def test_corrections_go_to_the_cache_of_the_run_they_name(tmp_path, installed_models,
                                                           monkeypatch):
    out, cache = _reviewed_run(tmp_path, installed_models)
    corrections = _corrections(tmp_path, out, [])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # outside any project: the user cache would be used
    result = invoke("corrections", "apply", str(corrections))
    assert result.exit_code == 0, result.output
    assert f"Approved 1 corrections in {cache}" in result.output
    result = invoke("export", str(out), "--cache", str(cache))
    assert result.exit_code == 0, result.output
    import sqlite3

    with sqlite3.connect(out / "records.db") as db:  # present, so written again: not stale
        assert db.execute("select count(*) from records where status = 'approved'"
                          ).fetchone()[0] == 1


def test_proposed_terms_without_a_glossary_store_nothing(tmp_path, installed_models,
                                                         monkeypatch):
    out, cache = _reviewed_run(tmp_path, installed_models)
    corrections = _corrections(tmp_path, out, [
        {"target": "Tô Lâm", "type": "person", "lang": "de", "form": "To Lam"}])
    monkeypatch.chdir(tmp_path)
    result = invoke("corrections", "apply", str(corrections))
    assert result.exit_code == 2 and "no glossary here" in result.output, result.output
    import sqlite3

    with sqlite3.connect(cache) as db:
        assert db.execute("select count(*) from approvals").fetchone()[0] == 0


def test_qa_into_a_closed_pipe_ends_quietly(tmp_path, installed_models):
    out, _ = _reviewed_run(tmp_path, installed_models)
    lines = out / "records.jsonl"
    rows = lines.read_text().splitlines()
    lines.write_text("\n".join(rows * 400) + "\n")  # enough output to fill the pipe
    articles = out / "articles.jsonl"
    info = json.loads(articles.read_text())
    articles.write_text("".join(json.dumps({**info, "article": info["article"]}) + "\n"
                                for _ in range(1)))
    command = f"{shlex.quote(sys.executable)} -m workbench qa {shlex.quote(str(out))} | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True, cwd=tmp_path, env={**os.environ})
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr


def test_review_without_a_browser_says_so_in_one_line(tmp_path, installed_models):
    out, _ = _reviewed_run(tmp_path, installed_models)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    desk = subprocess.Popen([sys.executable, "-m", "workbench", "review", str(out), "--port",
                             "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env=env)
    url = desk.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    with urllib.request.urlopen(url, timeout=30) as page:  # served: the browser note is out
        assert page.status == 200
    desk.send_signal(signal.SIGINT)  # Ctrl-C
    _, stderr = desk.communicate(timeout=30)
    assert desk.returncode == 0, stderr
    lines = stderr.strip().splitlines()
    assert "No browser to open here: open the URL above in one." in lines
    assert lines[-1] == "Review desk stopped; every change is saved."
    assert "xdg-open" not in stderr and "Traceback" not in stderr


def test_help_teaches_every_exit_code_and_lists_whole_sentences():
    assert "2 wrong usage" in invoke("translate", "--help").output
    listing = invoke("--help").output
    assert "..." not in listing.split("Commands:")[1]


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_shows_phase_position_rate_and_eta_from_the_first_seconds(monkeypatch):
    import time

    from workbench.cli import base

    terminal = _Terminal()
    monkeypatch.setattr(base.sys, "stderr", terminal)
    monkeypatch.setattr(base.click.utils, "_default_text_stderr", lambda: terminal)
    ticks = iter([0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    clock = lambda: next(ticks, 1.0)  # noqa: E731
    monkeypatch.setattr(time, "monotonic", clock)
    progress = base.ClickProgress(silent=False)
    progress.start("Translating de→en (pair 2 of 5)", 4000)
    progress.advance(1200)
    progress.finish()
    last = terminal.text.split("\r")[-1]
    assert "Translating de→en (pair 2 of 5): 1,200/4,000 segments, 1,200/s, ETA 2 s" in last
    quiet = base.ClickProgress(silent=True)
    quiet.start("Reading and preparing", 0)
    assert quiet.silent


def test_the_end_summary_counts_in_the_right_number():
    from workbench.cli.base import count

    assert (count(1, "article"), count(2, "article"), count(1_000, "term")) == (
        "1 article", "2 articles", "1,000 terms")
