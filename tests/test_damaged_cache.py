"""Hostile inputs, round two, case 6: a damaged or foreign cache row is a miss, counted and
named in one line, never a traceback and never a ``cached`` null; a cache from a newer
version is refused in one line. Runs use the RANDOM-WEIGHT test models."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli


def run(tmp_path: Path, models: Path, inputs: Path, out: str = "out"):
    return CliRunner().invoke(cli, [
        "translate", str(inputs), "-o", str(tmp_path / out), "--silent", "--models-dir",
        str(models), "--cache", str(tmp_path / "c.db")])


def statuses(out: Path) -> dict[str, int]:
    return json.loads((out / "run.json").read_text())["statuses"]


def damage(cache: Path, statement: str) -> int:
    with sqlite3.connect(cache) as db:
        return db.execute(statement).rowcount


@pytest.mark.parametrize(("statement", "remade"), [
    ("update translations set target = null", "translated"),
    ("update translations set score = 'abc'", "translated"),
    ("update translations set glossary = 'not json'", "translated"),
    ("update translations set glossary = '[{\"term\": 1}]'", "translated"),
    ("update prepared set data = x'00ff00'", None),
    ("update matched set data = x'7b7b'", None),
    ("update qa set data = 'not json'", None),
])
def test_a_damaged_row_is_a_miss_counted_in_one_line(tmp_path, installed_models, seeds_dir,
                                                     statement, remade):
    assert run(tmp_path, installed_models, seeds_dir, "first").exit_code == 0
    cold = statuses(tmp_path / "first")
    records = (tmp_path / "first" / "records.jsonl").read_text()
    assert damage(tmp_path / "c.db", statement) > 0
    result = run(tmp_path, installed_models, seeds_dir)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    notes = [line for line in result.output.splitlines() if "damaged cache entr" in line]
    assert len(notes) == 1, result.output
    out = tmp_path / "out"
    again = statuses(out)
    if remade == "translated":  # every row was damaged: translated again, none cached null
        assert again.get("cached", 0) == 0 and again["translated"] == cold["translated"]
    else:
        assert again.get("cached") == cold["translated"]
    lines = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert not [r for r in lines if r["status"] in ("cached", "translated") and r["tgt"] is None]
    assert [r["src"] for r in lines] == [json.loads(r)["src"] for r in records.splitlines()]
    third = run(tmp_path, installed_models, seeds_dir, "third")  # stored over: healed
    assert "damaged cache entr" not in third.output
    assert statuses(tmp_path / "third").get("cached") == cold["translated"]


def test_a_cache_from_a_newer_version_is_refused_in_one_line(tmp_path, installed_models,
                                                             seeds_dir):
    assert run(tmp_path, installed_models, seeds_dir, "first").exit_code == 0
    with sqlite3.connect(tmp_path / "c.db") as db:
        db.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                   "values ('workbench.cache', 'm099_from_the_future', '2030-01-01')")
    before = (tmp_path / "c.db").read_bytes()
    result = run(tmp_path, installed_models, seeds_dir)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "made by a newer Workbench" in lines[0], result.output
    assert "m099_from_the_future" in lines[0]
    assert (tmp_path / "c.db").read_bytes() == before


def test_a_tokenizer_that_cannot_load_fails_its_pair_and_the_others_finish(tmp_path,
                                                                           models_copy,
                                                                           seeds_dir):
    """Hostile inputs, round two, case 3: a package whose sentencepiece.model is junk (put
    there after it was installed) fails that pair's segments with one line naming it."""
    broken = next(p for p in models_copy.iterdir() if p.name.startswith("translate-de_en"))
    (broken / "sentencepiece.model").write_bytes(b"junk" * 50)
    result = run(tmp_path, models_copy, seeds_dir)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "de→en" in errors[0] and broken.name in errors[0], errors
    records = [json.loads(line)
               for line in (tmp_path / "out" / "records.jsonl").read_text().splitlines()]
    by_lang = {}
    for r in records:
        if r["status"] != "kept":
            by_lang.setdefault(r["src_lang"], set()).add(r["status"])
    assert by_lang.pop("de") == {"failed"}
    assert by_lang and all(s == {"translated"} for s in by_lang.values()), by_lang
    with sqlite3.connect(tmp_path / "c.db") as db:  # the other pairs' work is kept
        assert db.execute("select count(*) from translations").fetchone()[0] > 0
