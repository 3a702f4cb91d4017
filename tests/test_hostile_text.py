"""Hostile inputs, round two, cases 2 and 9: a lone surrogate anywhere text enters, and run
files edited by hand, give one line or a U+FFFD, never a traceback, and the good articles are
finished. Runs use the RANDOM-WEIGHT test models (only structure is checked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden."
LONE = "\\ud83d"  # half of a surrogate pair, as a JSON escape


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def translate(tmp_path: Path, models: Path, *inputs: Path, out: str = "out"):
    return invoke("translate", *map(str, inputs), "-o", str(tmp_path / out), "--silent",
                  "--models-dir", str(models), "--cache", str(tmp_path / "c.db"),
                  "--no-glossary")


def one_article_run(tmp_path: Path, models: Path) -> Path:
    """A finished run of one good article; its output folder."""
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(GOOD + "\n", encoding="utf-8")
    assert translate(tmp_path, models, source).exit_code == 0
    return tmp_path / "out"


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("field", ["text", "id", "url", "title"])
def test_a_lone_surrogate_in_a_feed_is_replaced_and_counted(tmp_path, installed_models, field):
    entry = {"id": "a", "url": "https://example.de/a", "title": "Der Haushalt", "text": GOOD}
    entry[field] = entry[field][:5] + "@@" + entry[field][5:]
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(entry).replace("@@", LONE) + "\n"
                    + json.dumps({"id": "b", "text": GOOD}) + "\n", encoding="utf-8")
    result = translate(tmp_path, installed_models, feed)
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert len(articles) == 2 and all(a["error"] is None for a in articles)
    text = (out / "records.jsonl").read_text("utf-8") + (out / "articles.jsonl").read_text()
    assert "\\ud83d" not in text
    if field in ("text", "title"):
        assert "\ufffd" in "".join(r["src"] for r in records(out) if r["article"] != "b")
        assert articles[0]["removed_chars"] >= 1


def test_a_lone_surrogate_in_corrections_is_refused_and_in_run_files_replaced(
        tmp_path, installed_models):
    """A reviewer's English follows the one rule for entered text (refused, one line); a
    run file read back gets U+FFFD."""
    out = one_article_run(tmp_path, installed_models)
    first = records(out)[0]
    corrections = tmp_path / "corrections.json"
    corrections.write_text(json.dumps({"corrections": [
        {"src_lang": first["src_lang"], "tgt_lang": "en", "src": first["src"],
         "tgt": "The government@@ presented the budget."}]}).replace("@@", LONE),
        encoding="utf-8")
    result = invoke("corrections", "apply", str(corrections), "--cache", str(tmp_path / "c.db"))
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "English holds a lone surrogate (U+D83D at character 15); not stored" in \
        result.output
    lines = (out / "records.jsonl").read_text("utf-8").splitlines()
    lines[0] = lines[0].replace('"tgt": "', f'"tgt": "x{LONE}', 1).replace(
        '"tgt":"', f'"tgt":"x{LONE}', 1)
    (out / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in (["export", str(out), "--cache", str(tmp_path / "c.db")],
                    ["qa", str(out)]):
        result = invoke(*command)
        assert "Traceback" not in result.output, command
        assert result.exception is None or isinstance(result.exception, SystemExit), command
    assert records(out)[0]["status"] != "approved"
    assert "x\ufffd" in (out / "records.tmx").read_text("utf-8")  # written from what was read


@pytest.mark.parametrize(("edit", "problem"), [
    ({"score": "abc"}, "score: must be a number or null (got 'abc')"),
    ({"src": None}, "src: must be text (got None)"),
    ({"tgt": 123}, "tgt: must be text or null (got 123)"),
    ({"index": 10**30}, "index: must be a whole number from 0 to 1000000000"),
    ({"glossary": [{"term": "x"}]}, "glossary[0].found: must be true or false"),
    ({"status": "done"}, "status: must be one of translated, cached"),
])
@pytest.mark.parametrize("command", ["export", "qa", "glossary suggest", "glossary check"])
def test_a_hand_edited_record_is_one_line_naming_file_line_and_field(
        tmp_path, installed_models, edit, problem, command):
    out = one_article_run(tmp_path, installed_models)
    rows = records(out)
    rows[1].update(edit)
    (out / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    result = invoke(*command.split(), str(out))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    error = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error) == 1, result.output
    assert f"records.jsonl:2: {problem}" in error[0]


def test_fields_a_newer_version_adds_are_ignored(tmp_path, installed_models):
    out = one_article_run(tmp_path, installed_models)
    rows = [{**r, "reviewer": "anna"} for r in records(out)]
    (out / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    lines = (out / "articles.jsonl").read_text().splitlines()
    (out / "articles.jsonl").write_text(
        "".join(json.dumps({**json.loads(line), "topic": "x"}) + "\n" for line in lines))
    result = invoke("export", str(out), "--format", "tmx")
    assert result.exit_code == 0, result.output
