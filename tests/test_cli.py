"""End to end through the CLI and the REAL CTranslate2 engine.

The nb/pl/de/ru/sv packages have RANDOM WEIGHTS (built by conftest): these tests check
structure, languages, alignment, caching and exit codes, never English wording. Exact English
is checked with the real trained aren-transliteration model.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import SEED_LANGUAGES

from workbench.cli import cli
from workbench.text.normalize import normalize_text

GLOSSARY = Path(__file__).resolve().parent.parent / "glossary"


def translate(tmp_path: Path, inputs, models: Path, out="out", *extra: str):
    args = ["translate", *map(str, inputs), "-o", str(tmp_path / out), "--silent",
            "--models-dir", str(models), "--cache", str(tmp_path / "cache.db"),
            "--glossary", str(GLOSSARY), *extra]
    result = CliRunner().invoke(cli, args)
    records_file = tmp_path / out / "records.jsonl"
    records = [json.loads(x) for x in records_file.read_text("utf-8").splitlines()] \
        if records_file.exists() else []
    return result, records


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, seeds_dir, installed_models):
    tmp_path = tmp_path_factory.mktemp("seedrun")
    result, records = translate(tmp_path, [seeds_dir], installed_models)
    return tmp_path, result, records


def test_seeds_translate_through_the_real_engine(first_run):
    _, result, records = first_run
    assert result.exit_code == 0, result.output
    assert "5 articles (0 unreadable)" in result.output
    assert "Models loaded: 5" in result.output
    assert [r["article"] for r in records] == sorted(r["article"] for r in records)
    assert {r["article"] for r in records} == set(SEED_LANGUAGES)
    statuses = {r["status"] for r in records if r["kind"] in ("body", "title", "caption")}
    assert statuses == {"translated"}
    translated = [r for r in records if r["status"] == "translated"]
    assert all(r["tgt"] and r["tgt_lang"] == "en" and r["score"] < 0 for r in translated)


def test_seed_indexes_are_contiguous(first_run):
    _, _, records = first_run
    for article in SEED_LANGUAGES:
        indexes = [r["index"] for r in records if r["article"] == article]
        assert indexes == list(range(len(indexes)))


def test_seed_languages_are_detected(first_run):
    tmp_path, _, _ = first_run
    articles = [json.loads(x) for x in (tmp_path / "out" / "articles.jsonl").read_text()
                .splitlines()]
    assert {a["article"]: a["lang"] for a in articles} == SEED_LANGUAGES
    assert all(a["lang_confidence"] > 0.99 for a in articles)


def test_every_nonblank_line_is_kept(first_run, seeds_dir):
    _, _, records = first_run
    for article in SEED_LANGUAGES:
        text = (seeds_dir / f"{article}.txt").read_text("utf-8")
        ours = [r for r in records if r["article"] == article]
        for number, line in normalize_text(text).lines:
            joined = " ".join(r["src"] for r in ours if r["line"] == number)
            assert re.sub(r"\s+", "", joined) == re.sub(r"\s+", "", line), (article, number)


def test_second_run_is_cached_and_needs_no_models(first_run, seeds_dir):
    tmp_path, _, first = first_run
    empty = tmp_path / "no-models"
    empty.mkdir()
    result, records = translate(tmp_path, [seeds_dir], empty, "out2")
    assert result.exit_code == 0, result.output
    assert "Models loaded: 0" in result.output
    assert "0 translated" in result.output
    assert [r["status"] for r in records] == [
        "cached" if r["status"] == "translated" else r["status"] for r in first]
    assert [r["tgt"] for r in records] == [r["tgt"] for r in first]


def test_glossary_on_seeds_is_matched_and_verified(first_run):
    tmp_path, _, records = first_run
    hits = [(r, h) for r in records for h in r["glossary"]]
    by_article = {}
    for r, h in hits:
        by_article.setdefault(r["article"], []).append(h["target"])
    assert by_article["003_1bb19d71bc8151fe"].count("Lương Cường") == 3
    assert by_article["002_56b54d490b5aedd0"].count("Tô Lâm") == 5
    assert "Decree 140/2017/ND-CP" in by_article["001_9e90e167a72bcd0b"]
    assert "Regulation No. 377" in by_article["004_6297eead32339cd5"]
    assert "Resolution No. 18-NQ/TW" in by_article["002_56b54d490b5aedd0"]
    for record, hit in hits:
        assert record["kind"] in ("title", "body", "caption")
        if hit["found"]:
            assert hit["target"].casefold() in record["tgt"].casefold()
        else:
            assert hit["enforced"] == "missed"
    for record in records:
        if record["tgt"]:
            assert not re.search(r"(?<!\d)73\d\d(?!\d)", record["tgt"]), record["tgt"]
    check = CliRunner().invoke(cli, ["glossary", "check", str(tmp_path / "out"), "--json"])
    reported = json.loads(check.stdout)
    assert sum(r["occurrences"] for r in reported) == len(hits)
    assert check.exit_code == (3 if any(not h["found"] for _, h in hits) else 0)


def test_seed_run_tmx_validates_and_reads_back(first_run):
    from lxml import etree
    from translate.storage import tmx

    tmp_path, _, records = first_run
    path = tmp_path / "out" / "records.tmx"
    dtd_path = Path(__file__).resolve().parent / "data" / "fixtures" / "tmx" / "tmx14.dtd"
    if not dtd_path.exists():
        pytest.fail(f"missing test fixture: the TMX 1.4 DTD expected at {dtd_path}")
    dtd = etree.DTD(str(dtd_path))
    assert dtd.validate(etree.parse(str(path))), dtd.error_log.filter_from_errors()
    units = [(u.source, u.target) for u in tmx.tmxfile.parsefile(str(path)).units]
    assert units == [(r["src"], r["tgt"]) for r in records
                     if r["status"] in ("translated", "cached", "approved")]


def test_missing_models_exit_3_and_say_how_to_install(tmp_path, seeds_dir, models_copy):
    shutil.rmtree(models_copy / "translate-pl_en-1_0")
    shutil.rmtree(models_copy / "translate-ru_en-1_0")
    result, records = translate(tmp_path, [seeds_dir], models_copy)
    assert result.exit_code == 3
    assert (f"Missing models for pl→en, ru→en in {models_copy}. Install them with: "
            "workbench models install pl ru (online), or: workbench models install "
            "FILE.argosmodel (offline).") in result.output
    pl = [r for r in records if r["article"] == "001_9e90e167a72bcd0b" and r["kind"] == "body"]
    assert pl and {(r["status"], r["tgt"]) for r in pl} == {("no-model", None)}
    assert {r["article"] for r in records} == set(SEED_LANGUAGES)


def test_corrupt_archive_is_refused_with_one_line(tmp_path, models_copy, random_archives):
    before = sorted(p.relative_to(models_copy) for p in models_copy.rglob("*"))
    bad = tmp_path / "broken.argosmodel"
    bad.write_bytes(random_archives["de"].read_bytes()[:5000])
    result = CliRunner().invoke(cli, ["models", "install", str(bad), "--models-dir",
                                      str(models_copy)])
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}: not a valid .argosmodel (not a zip archive)\n"
    assert sorted(p.relative_to(models_copy) for p in models_copy.rglob("*")) == before


def test_real_model_end_to_end(tmp_path, aren_archive):
    models = tmp_path / "models"
    install = CliRunner().invoke(cli, ["models", "install", str(aren_archive), "--models-dir",
                                       str(models)])
    assert install.exit_code == 0, install.output
    article = tmp_path / "in" / "names.txt"
    article.parent.mkdir()
    article.write_text("آتزمون\nا\n", encoding="utf-8")
    result, records = translate(tmp_path, [article], models)
    assert result.exit_code == 0, result.output
    assert [(r["src_lang"], r["src"], r["tgt"], r["status"]) for r in records] == [
        ("ar", "آتزمون", "atzmon", "translated"), ("ar", "ا", "a", "translated")]


def test_missing_input_is_named(tmp_path, installed_models):
    result, _ = translate(tmp_path, [tmp_path / "nope"], installed_models)
    assert result.exit_code == 3
    assert f"Error: {tmp_path / 'nope'}: no such file or directory" in result.output


def all_commands(group=cli, prefix=()):
    context = click.Context(group)
    for name in group.list_commands(context):
        yield (*prefix, name)
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


def test_translate_imports_only_what_it_uses():
    code = ("import sys\nfrom workbench.cli import cli\n"
            "cli(['translate', '--help'], standalone_mode=False)\n"
            "print(sorted(m for m in ('workbench.glossary.suggest', 'workbench.cli.glossary', "
            "'workbench.cli.models', 'workbench.cli.translate') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines()[-1] == "['workbench.cli.translate']"


@pytest.mark.parametrize("command", [(), *all_commands()], ids=" ".join)
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output and len(result.output.splitlines()) > 5


def test_readme_documents_every_setting():
    from workbench.settings import SETTINGS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for setting in SETTINGS:
        assert setting.option in readme, setting.option
        assert setting.env in readme, setting.env


def test_readme_documents_every_command():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for path in all_commands():
        assert f"workbench {' '.join(path)}" in readme, path
