"""The desk and CLI commands on one cache, in separate processes: nothing the desk saves is lost.

On POSIX, closing any descriptor of a file drops every SQLite lock the process holds on it.
A desk that once read its own cache through a plain ``open()`` (a second connection's sniff)
let the next CLI run believe it was alone and delete the WAL the desk still wrote to: later
saves answered 200 and vanished, and the cache could end malformed. Real processes, real
runs; the models have RANDOM WEIGHTS (see conftest).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from desk_server import DeskProcess, make_run, records


@pytest.fixture
def run(tmp_path, installed_models):
    out, cache, glossary = make_run(tmp_path, installed_models)
    return out, cache, glossary, installed_models


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True,
                          text=True, timeout=300)


def _from_outside(cache) -> tuple[str, int]:
    conn = sqlite3.connect(cache)
    try:
        return (conn.execute("pragma integrity_check").fetchone()[0],
                conn.execute("select count(*) from approvals").fetchone()[0])
    finally:
        conn.close()


def test_desk_saves_survive_cli_runs_on_the_same_cache_after_a_term_preview(run, tmp_path):
    out, cache, glossary, models = run
    translated = [r for r in records(out) if r["status"] == "translated"][:6]
    assert len(translated) == 6
    term = {"form": "partikomité", "lang": "nb", "target": "Party Committee", "type": "body"}
    with DeskProcess(out) as desk:
        # The preview reads the cache's dictionary forms: once, through a second connection.
        assert desk.post("/api/terms/preview", term).status == 200
        before = translated[0]
        first = desk.post("/api/save", {"article": before["article"], "index": before["index"],
                                        "tgt": "Saved before the CLI ran.",
                                        "base": before["tgt"]})
        assert first.status == 200, first.body
        exported = _cli("export", str(out), "--cache", str(cache))
        assert exported.returncode == 0, exported.stderr
        other = _cli("translate", str(tmp_path / "in"), "-o", str(tmp_path / "other"),
                     "--silent", "--models-dir", str(models), "--cache", str(cache),
                     "--glossary", str(glossary))
        assert other.returncode == 0, other.stderr
        for number, record in enumerate(translated[1:], start=1):
            saved = desk.post("/api/save", {"article": record["article"],
                                            "index": record["index"],
                                            "tgt": f"Saved after the CLI ran ({number}).",
                                            "base": record["tgt"]})
            assert saved.status == 200, saved.body
            # Seen at once by another process, while the desk still runs.
            assert _from_outside(cache) == ("ok", number + 1)
    assert desk.stop() == 0, desk.stderr
    assert _from_outside(cache) == ("ok", len(translated))
    # ...and by the next export, which writes them into the run's records.
    assert _cli("export", str(out), "--cache", str(cache)).returncode == 0
    shown = {(r["article"], r["index"]): r for r in records(out)}
    assert [shown[(r["article"], r["index"])]["tgt"] for r in translated] == [
        "Saved before the CLI ran.",
        *(f"Saved after the CLI ran ({number})." for number in range(1, len(translated)))]


def test_an_input_that_is_the_open_cache_is_refused_not_read(run, tmp_path):
    """A plain read of the cache while the run holds it would drop the run's locks."""
    _, cache, glossary, models = run
    result = _cli("translate", str(cache), "-o", str(tmp_path / "again"), "--silent",
                  "--models-dir", str(models), "--cache", str(cache),
                  "--glossary", str(glossary))
    assert result.returncode != 0
    assert f"{cache}: is a database this command has open" in result.stderr
    assert "Traceback" not in result.stderr
    assert _from_outside(cache)[0] == "ok"


def test_a_term_save_whose_records_cannot_be_written_changes_nothing(run, tmp_path):
    """records.jsonl replaced by a link: refused before the glossary is written (was a 500
    after it, the change half made)."""
    out, cache, glossary, _ = run
    term = {"form": "partikomité", "lang": "nb", "target": "Party Committee", "type": "body"}
    files_before = {p.name: p.read_bytes() for p in glossary.iterdir()}
    with DeskProcess(out) as desk:
        assert desk.post("/api/terms/preview", term).status == 200
        real = tmp_path / "records-elsewhere.jsonl"
        (out / "records.jsonl").rename(real)
        (out / "records.jsonl").symlink_to(real)
        refused = desk.post("/api/terms/save", term)
        assert refused.status == 409, refused.body
        assert refused.json()["error"].startswith("nothing saved: the run's records could "
                                                  "not be written")
    assert desk.stop() == 0 and "Traceback" not in desk.stderr
    assert {p.name: p.read_bytes() for p in glossary.iterdir()} == files_before
    assert _from_outside(cache)[0] == "ok"
