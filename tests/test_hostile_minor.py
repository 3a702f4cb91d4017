"""Hostile inputs, round two, the minor cases: each is one line, nothing is written outside
the place it belongs, and nothing is lost."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.text.html_page import extract_page

GOOD = "Die Regierung hat heute den neuen Haushalt vorgestellt. Der Kanzler war zufrieden.\n"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_error(result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def a_cache(tmp_path: Path, installed_models: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, encoding="utf-8")
    result = invoke("translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--silent",
                    "--models-dir", str(installed_models), "--cache", str(tmp_path / "c.db"),
                    "--no-glossary")
    assert result.exit_code == 0, result.output
    return tmp_path / "c.db"


def test_prune_reports_a_size_that_does_not_grow(tmp_path, installed_models):
    cache = a_cache(tmp_path, installed_models)
    result = invoke("cache", "prune", "--older-than", "0", "--cache", str(cache))
    assert result.exit_code == 0, result.output
    before, after = (float(s.split()[0]) for s in
                     result.output.split("; ")[1].split(" (")[0].split(" -> "))
    assert after <= before, result.output


def test_cache_info_shows_a_read_only_cache_and_writes_nothing(tmp_path, installed_models,
                                                               monkeypatch):
    cache = a_cache(tmp_path, installed_models)
    with sqlite3.connect(cache) as db:
        db.execute("pragma wal_checkpoint(truncate)")
    folder_mode = cache.parent.stat().st_mode
    before = sorted(p.name for p in cache.parent.iterdir())
    import filelock

    def refuse(*_args, **_kwargs):  # root ignores permissions: a read-only disk, as it fails
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    os.chmod(cache, stat.S_IRUSR)
    try:
        result = invoke("cache", "info", "--cache", str(cache))
    finally:
        os.chmod(cache, 0o644)
        os.chmod(cache.parent, folder_mode)
    assert result.exit_code == 0, result.output
    assert "translations" in result.output
    assert sorted(p.name for p in cache.parent.iterdir()) == before


def test_glossary_add_never_writes_outside_the_glossary(tmp_path):
    glossary = tmp_path / "project" / "glossary"
    glossary.mkdir(parents=True)
    outside = tmp_path / "x.toml"
    result = invoke("glossary", "add", "Tô Lâm", "--type", "person", "--form", "latin=To Lam",
                    "--glossary", str(glossary), "--file", str(glossary / ".." / ".." / "x.toml"))
    assert "outside the glossary folder" in one_error(result)
    assert not outside.exists()


def test_a_line_break_in_a_target_is_refused_with_its_line(tmp_path):
    glossary = tmp_path / "glossary"
    glossary.mkdir()
    (glossary / "people.toml").write_text(
        '[[term]]\ntarget = "To\\nLam"\ntype = "person"\nlatin = "To Lam"\n', encoding="utf-8")
    line = one_error(invoke("glossary", "list", "--glossary", str(glossary)))
    assert "people.toml:2: target must be one line" in line


def test_init_writes_nothing_through_a_glossary_symlink(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "desk"
    project.mkdir()
    (project / "glossary").symlink_to(elsewhere)
    assert "symbolic link" in one_error(invoke("init", str(project)))
    assert list(elsewhere.iterdir()) == []
    assert not (project / "workbench.toml").exists()


@pytest.mark.parametrize("name", ["cache", "glossary", "incoming"])
def test_init_where_a_folder_it_makes_is_a_file_names_it_and_makes_nothing(tmp_path, name):
    project = tmp_path / "desk"
    project.mkdir()
    (project / name).write_text("mine", encoding="utf-8")
    line = one_error(invoke("init", str(project)))
    assert line == (f"Error: {project / name} is a file, where init makes a folder (move it, "
                    "or init elsewhere)")
    assert sorted(p.name for p in project.iterdir()) == [name]
    assert (project / name).read_text(encoding="utf-8") == "mine"


def test_a_csv_header_with_a_column_twice_is_refused(tmp_path, installed_models):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.csv").write_text(
        "id,text,text\na,Der Kanzler sprach heute lange.,Ganz anderer Text.\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(GOOD, encoding="utf-8")
    result = invoke("translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--silent",
                    "--models-dir", str(installed_models), "--cache", str(tmp_path / "c.db"),
                    "--no-glossary")
    assert result.exit_code == 3, result.output
    assert "feed.csv:1: the header names the column 'text' twice" in result.output
    articles = [json.loads(line) for line in (tmp_path / "out" / "articles.jsonl").open()]
    assert [a["article"] for a in articles if a["error"] is None] == ["b"]


def test_template_content_is_not_the_article():
    sentence = "Die Regierung hat heute den neuen Haushalt vorgestellt, der Kanzler war froh."
    data = (f"<html><body><h1>Der Haushalt</h1><p>{sentence}</p><p>{sentence} Zwei.</p>"
            "<template><p>Schreiben Sie hier Ihren Kommentar zu diesem Artikel, bitte sehr "
            "freundlich und sachlich.</p></template></body></html>").encode()
    texts = [text for _, text in extract_page(Path("p.html"), data).lines]
    assert not any("Kommentar" in text for text in texts)


def test_feed_ids_stay_unique_when_they_move_to_disk(tmp_path, installed_models, monkeypatch):
    """A feed of a million lines keeps its ids on disk past IN_MEMORY (memory stays flat):
    repeats still get ~2, ~3 across the move."""
    from workbench.run import runner

    monkeypatch.setattr(runner._SeenIds, "IN_MEMORY", 3)
    (tmp_path / "in").mkdir()
    ids = ["a", "a", "b", "c", "d", "a", "c"]
    (tmp_path / "in" / "feed.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": f"Der Kanzler sprach heute {n}."}) + "\n"
                for n, i in enumerate(ids)), encoding="utf-8")
    result = invoke("translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--silent",
                    "--models-dir", str(installed_models), "--cache", str(tmp_path / "c.db"),
                    "--no-glossary")
    assert result.exit_code == 0, result.output
    articles = [json.loads(line)["article"] for line in (tmp_path / "out" / "articles.jsonl")
                .open()]
    assert articles == ["a", "a~2", "b", "c", "d", "a~3", "c~2"]


def test_sigterm_on_a_cluster_run_ends_it_in_one_line(capsys):
    """Ray's driver installs a handler that prints C++ stacks on SIGTERM; a cluster run puts
    its own in after Ray starts: one line, exit 143, the cluster let go by the finally."""
    import signal

    from workbench.cli.translate import _stop_cleanly_on_sigterm

    before = signal.getsignal(signal.SIGTERM)
    try:
        _stop_cleanly_on_sigterm()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            raise AssertionError("SIGTERM did not stop the run")
        except SystemExit as stop:
            assert stop.code == 143
    finally:
        signal.signal(signal.SIGTERM, before)
    assert capsys.readouterr().err.strip() == \
        "Stopped by SIGTERM: what was translated is cached; run again to finish."


def test_a_csv_header_of_100000_columns_is_read_and_a_repeat_found_in_it(tmp_path,
                                                                         installed_models):
    """The repeated-column check was quadratic in the header's width (84 s for this feed)."""
    from workbench.text.feed import first_repeated

    names = [f"c{i}" for i in range(100_000)]
    assert first_repeated([*names, "text"]) is None
    assert first_repeated([*names, "c99999", "c5"]) == "c99999"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "wide.csv").write_text(
        ",".join(names) + ",text\n" + "," * 100_000 + GOOD, encoding="utf-8")
    result = invoke("translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--silent",
                    "--models-dir", str(installed_models), "--cache", str(tmp_path / "c.db"),
                    "--no-glossary")
    assert result.exit_code == 0, result.output


def test_names_with_terminal_escapes_or_bidi_controls_are_shown_escaped(tmp_path,
                                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "p\x1b]0;pwned\x07\u202eevil"
    made = invoke("init", name)
    assert made.exit_code == 0, made.output
    assert "\x1b" not in made.output and "\u202e" not in made.output
    assert "p\\x1b]0;pwned\\x07\\u202eevil" in made.output
    again = invoke("init", name)  # an error naming it: escaped too
    assert again.exit_code == 1
    assert "\x1b" not in again.output and "\u202e" not in again.output
