"""Bad input, crashes, concurrent runs and hostile archives, through the CLI and the REAL
engine (random-weight packages: wording is meaningless, structure and counts are not)."""

import codecs
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cli import cli
from workbench.engines.base import Translation
from workbench.errors import PackageError
from workbench.glossary.enforce import protect, restore
from workbench.glossary.match import Matcher
from workbench.glossary.store import load_glossary
from workbench.models.packages import install_archive

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden "
        "und sprach von einem guten Tag für das Land.\n")


def run_cli(tmp_path, inputs, models, out="out", *extra):
    return CliRunner().invoke(cli, [
        "translate", *map(str, inputs), "-o", str(tmp_path / out), "--silent",
        "--models-dir", str(models), "--cache", str(tmp_path / "cache.db"), "--no-glossary",
        *extra])


BAD_FILES = {
    "latin1.txt": (b"Gr\xfc\xdfe aus K\xf6ln, sagte er.\n", "not valid UTF-8 (byte 0xfc at "
                                                             "offset 2)"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (NUL byte at offset 8)"),
    "empty.txt": (b"", "empty (no text)"),
    "blank.txt": (b" \n\t\r\n\n", "empty (no text)"),
    "bad16.txt": (codecs.BOM_UTF16_LE + b"\x00\xd8", "invalid UTF-16 at byte 2"),
}


def test_bad_files_get_one_line_each_and_good_ones_finish(tmp_path, installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, (data, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    (folder / "dir.txt").mkdir()  # a directory named like an article: not an article
    (folder / "loop").symlink_to(folder)  # a symlink loop: not followed
    (folder / "dangling.txt").symlink_to(folder / "missing")
    result = run_cli(tmp_path, [folder], installed_models)
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    for name, (_, problem) in BAD_FILES.items():
        assert f"Error: {folder / name}: {problem}\n" in result.output
    assert f"Error: {folder / 'dangling.txt'}: cannot read: " in result.output
    records = [json.loads(x) for x in (tmp_path / "out" / "records.jsonl").read_text()
               .splitlines()]
    assert {r["article"] for r in records} == {"good"}
    assert {r["status"] for r in records} == {"translated"}


@pytest.mark.parametrize(("name", "data"), [
    ("bom8.txt", codecs.BOM_UTF8 + GOOD.encode()),
    ("utf16.txt", codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le")),
    ("crlf.txt", GOOD.replace("\n", "\r\n").encode()),
    ("invisible.txt", GOOD.replace("Regierung", "Re\u00adgie\u200brung").replace(
        " hat", "\u00a0hat").encode()),
])
def test_encodings_and_invisible_characters_are_handled(tmp_path, installed_models, name, data):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(data)
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models)
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (tmp_path / "out" / "records.jsonl").read_text()
               .splitlines()]
    assert records[0]["src"] == "Die Regierung hat heute den neuen Haushalt vorgestellt."


def test_a_2mb_line_is_cut_into_flagged_segments(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    # 2 MB, no newline, no sentence end.
    line = ("und die Regierung hat den neuen Haushalt vorgestellt " * 40_000).strip()
    text = "Der Haushalt wurde heute im Parlament vorgestellt und lange diskutiert. " + line
    (tmp_path / "in" / "long.txt").write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models, "out", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 120
    records = [json.loads(x) for x in (tmp_path / "out" / "records.jsonl").read_text()
               .splitlines()]
    long = [r for r in records if "overlong-split" in r["flags"]]
    assert len(long) > 2000 and all(len(r["src"]) <= 1000 for r in records)
    assert "".join(r["src"] for r in records).replace(" ", "") == text.replace(" ", "")


def test_english_and_boilerplate_only_articles(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "en.txt").write_text(
        "The government presented its budget for next year in parliament today, and the "
        "prime minister said it would help families across the country.\n", encoding="utf-8")
    (tmp_path / "in" / "junk.txt").write_text("Kommentar (0)\n[Anzeige_2]\n", encoding="utf-8")
    result = run_cli(tmp_path, [tmp_path / "in"], installed_models)
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (tmp_path / "out" / "records.jsonl").read_text()
               .splitlines()]
    first = records[0]
    assert (first["article"], first["src_lang"], first["status"], first["tgt"]) == (
        "en", "en", "kept", first["src"])
    assert {r["status"] for r in records if r["article"] == "junk"} == {"kept"}


def cli_command(tmp_path, inputs, models, cache, out):
    return [sys.executable, "-m", "workbench", "translate", *map(str, inputs), "-o", str(out),
            "--silent", "--models-dir", str(models), "--cache", str(cache), "--no-glossary",
            "--batch-tokens", "64", "--format", "jsonl"]


def pairs(out):
    return [(r["article"], r["index"], r["src"], r["tgt"]) for r in
            map(json.loads, (out / "records.jsonl").read_text().splitlines())]


def cached_rows(cache: Path) -> int:
    try:
        with sqlite3.connect(cache, timeout=5) as conn:
            return conn.execute("select count(*) from translations").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory, seeds_dir, installed_models):
    """An uninterrupted run over the seeds."""
    tmp = tmp_path_factory.mktemp("reference")
    subprocess.run(cli_command(tmp, [seeds_dir], installed_models, tmp / "c.db", tmp / "out"),
                   check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return pairs(tmp / "out"), cached_rows(tmp / "c.db")


@pytest.mark.parametrize("kill_after_rows", [1, 40, 90])
def test_kill_9_then_rerun_gives_the_same_records(tmp_path, seeds_dir, installed_models,
                                                  reference, kill_after_rows):
    expected, total = reference
    cache, out = tmp_path / "c.db", tmp_path / "out"
    command = cli_command(tmp_path, [seeds_dir], installed_models, cache, out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while cached_rows(cache) < kill_after_rows and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = cached_rows(cache)
    assert finished >= kill_after_rows and finished < total
    assert not out.joinpath("records.jsonl").exists()  # never a half-written file
    rerun = subprocess.run(command, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    translated, from_cache = map(int, re.search(r"(\d+) translated, (\d+) from cache",
                                                rerun.stderr).groups())
    assert from_cache >= finished  # every finished translation was reused...
    assert cached_rows(cache) == total  # ...and each text was translated exactly once overall
    assert translated + from_cache == sum(1 for _, _, _, tgt in expected if tgt is not None)
    assert pairs(out) == expected


def test_two_concurrent_runs_share_one_cache(tmp_path, seeds_dir, installed_models, reference):
    expected, total = reference
    cache = tmp_path / "c.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen(cli_command(tmp_path, [seeds_dir], installed_models, cache,
                                         tmp_path / f"out{i}"), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for i in (1, 2)]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
        assert "database is locked" not in stderr
    assert pairs(tmp_path / "out1") == pairs(tmp_path / "out2") == expected
    assert cached_rows(cache) == total


def test_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.argosmodel"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("translate-de_en/metadata.json", '{"from_code": "de", "to_code": "en"}')
        zf.writestr("translate-de_en/model/model.bin", b"\0" * 50_000_000)
    with pytest.raises(PackageError, match="suspicious compression ratio"):
        install_archive(bomb, tmp_path / "models")
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


STARTER = load_glossary([ROOT / "glossary"])


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sampled_from(["nb", "sv", "de", "pl", "ru"]), st.text(max_size=80))
def test_glossary_never_crashes_or_leaks_placeholders(text, lang, english):
    text = text + " To Lam und Лыонг Кыонг, 18-NQ/TW"
    matches = Matcher(STARTER, lang).find(text)
    assert all(text[m.start:m.end] == m.surface for m in matches)
    protected = protect(text, matches)
    output, hits = restore(protected, Translation(english + " 7301", -1.0))
    for term in protected.terms:
        if term.placeholder and term.placeholder not in text:
            assert term.placeholder not in output
    assert len(hits) == len(protected.terms)
