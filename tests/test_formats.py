"""One contract for every writer in the format registry (as translate-toolkit has one test for
every storage class): written atomically with mode 0644, removed when a later run does not
ask for it, valid, and read back by its consumer. Runs through the real engine with the
RANDOM-WEIGHT test models (their English is meaningless; only structure is checked)."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.outputs.formats import DERIVED_FORMATS, FORMATS
from workbench.outputs.run_folder import read_articles, read_records
from workbench.records import WITH_ENGLISH
from workbench.review.apply import read_units


def _translate(tmp_path: Path, models: Path, inputs: Path, formats: str) -> Path:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "translate", str(inputs), "-o", str(out), "--silent", "--models-dir", str(models),
        "--cache", str(tmp_path / "c.db"), "--no-glossary", "--format", formats])
    assert result.exit_code == 0, result.output
    return out


def _check_valid(name: str, out: Path) -> None:
    records = list(read_records(out))
    english = [r for r in records if r.status in WITH_ENGLISH and r.tgt is not None]
    main = FORMATS[name].paths(out)[0]
    if name in ("tmx", "xliff"):  # read back by `workbench corrections apply`
        units = list(read_units(main, main.read_bytes()))
        assert {(u.correction.src, u.correction.tgt) for u in units} == \
            {(r.src, r.tgt) for r in english}
    elif name == "html":
        pages = sorted((out / "review").glob("*.html"))
        assert len(pages) == len(list(read_articles(out)))
        assert "<html" in main.read_text("utf-8")
    elif name == "sqlite":
        with sqlite3.connect(main) as db:
            assert db.execute("select count(*) from records").fetchone()[0] == len(records)
    elif name == "omegat":  # a project per pair; its memory read back by corrections apply
        for project in sorted(main.iterdir()):
            src = project.name.split("-")[0]
            memory = project / "tm" / "auto" / f"records.{src}-en.tmx"
            units = list(read_units(memory, memory.read_bytes()))
            assert {(u.correction.src, u.correction.tgt) for u in units} == \
                {(r.src, r.tgt) for r in english if r.src_lang == src}
            source = project / "source" / f"records.{src}.xlf"
            assert source.is_file() and (project / "omegat.project").is_file()
    else:
        raise AssertionError(f"format {name!r} has no validity check in this contract test")


@pytest.mark.parametrize("name", DERIVED_FORMATS)
def test_every_writer_keeps_the_contract(name, tmp_path, installed_models, seeds_dir):
    out = _translate(tmp_path, installed_models, seeds_dir, f"jsonl,{name}")
    for path in FORMATS[name].paths(out):
        assert path.exists(), path
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o644, file
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.name]
    _check_valid(name, out)
    manifest = json.loads((out / "run.json").read_text())
    assert name in manifest["derived"]

    _translate(tmp_path, installed_models, seeds_dir, "jsonl")  # not asked for: removed
    if FORMATS[name].workspace:  # OmegaT projects hold a translator's work: kept
        assert all(path.exists() for path in FORMATS[name].paths(out))
    else:
        assert not any(path.exists() for path in FORMATS[name].paths(out))


def test_the_registry_declares_every_format_once():
    files = [name for fmt in FORMATS.values() for name in fmt.files]
    assert len(files) == len(set(files))
    assert all(fmt.help and fmt.files for fmt in FORMATS.values())
    assert set(DERIVED_FORMATS) == set(FORMATS) - {"jsonl"}
