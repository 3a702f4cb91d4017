"""``--format sqlite``: records.db, read back with plain sqlite3 (an independent reader)."""

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import OutputError
from workbench.outputs.sqlite_db import write_sqlite
from workbench.records import ArticleInfo, GlossaryHit, Kind, Record, Status

ROOT = Path(__file__).resolve().parent.parent
RECORDS = [
    Record("a", 0, Kind.TITLE, "ru", "Лыонг Кыонг прибыл в Ханой", "en",
           "Lương Cường arrived in Hanoi", Status.TRANSLATED, -0.3,
           (GlossaryHit("Лыонг Кыонг", "Lương Cường", True, "placeholder"),
            GlossaryHit("Ханой", "Hanoi", True, "prefix"))),
    Record("a", 1, Kind.BODY, "de", "Das Zentralkomitee tagte.", "en", "It met.",
           Status.CACHED, -2.5,
           (GlossaryHit("Zentralkomitee", "Central Committee", False, "missed",
                        "the forced prefix reaches the decoding length limit"),),
           ("qa:length", "glued")),
    Record("a", 2, Kind.BOILERPLATE, "sv", "Kommentar (0)", "en", None, Status.KEPT),
]


def test_tables_keys_and_full_text_search(tmp_path):
    path = tmp_path / "records.db"
    info = ArticleInfo("a", "in/a.txt", "ru", 0.9, "https://x.vn/a", "Lan", "x.vn",
                       "2025-03-12", {"title": 1, "body": 1, "boilerplate": 1})
    assert write_sqlite([(info, RECORDS)], path) == 3
    db = sqlite3.connect(path)
    assert db.execute("select article, source_url, date, byline from articles").fetchall() == [
        ("a", "https://x.vn/a", "2025-03-12", "Lan")]
    assert db.execute('select "index", kind, status, tgt from records order by id').fetchall() \
        == [(0, "title", "translated", "Lương Cường arrived in Hanoi"),
            (1, "body", "cached", "It met."), (2, "boilerplate", "kept", None)]
    missed = db.execute(
        "select r.article, r.\"index\", h.target, h.cause from glossary_hits h "
        "join records r on r.id = h.record_id where not h.found").fetchall()
    assert missed == [("a", 1, "Central Committee",
                       "the forced prefix reaches the decoding length limit")]
    assert db.execute("select flag from flags order by flag").fetchall() == [
        ("glued",), ("qa:length",)]
    assert db.execute("select r.\"index\" from records_fts f join records r on r.id = f.rowid "
                      "where records_fts match 'Hanoi'").fetchall() == [(0,)]
    assert db.execute("select r.\"index\" from records_fts f join records r on r.id = f.rowid "
                      "where records_fts match 'Zentralkomitee'").fetchall() == [(1,)]
    foreign = {(row[2], row[3]) for table in ("records", "glossary_hits", "flags")
               for row in db.execute(f"pragma foreign_key_list({table})")}
    assert foreign == {("articles", "article"), ("records", "record_id")}
    indexed = {row[0] for row in db.execute(
        "select name from sqlite_master where type = 'index'")}
    assert {"idx_records_article_index", "idx_records_status"} <= indexed
    assert db.execute("pragma integrity_check").fetchone() == ("ok",)
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_translate_format_sqlite_matches_records_jsonl(tmp_path, seeds_dir, installed_models):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "translate", str(seeds_dir), "-o", str(out), "--silent", "--models-dir",
        str(installed_models), "--cache", str(tmp_path / "c.db"), "--format", "sqlite",
        "--glossary", str(ROOT / "glossary")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "articles.jsonl", "records.db", "records.jsonl", "run.json"]
    lines = [json.loads(line) for line in (out / "records.jsonl").open()]
    db = sqlite3.connect(out / "records.db")
    assert db.execute("select count(*) from records").fetchone()[0] == len(lines)
    assert db.execute("select count(*) from glossary_hits").fetchone()[0] == sum(
        len(r["glossary"]) for r in lines)
    assert db.execute("select count(*) from records_fts").fetchone()[0] == len(lines)
    assert json.loads((out / "run.json").read_text())["derived"] == ["sqlite"]


def test_a_failed_write_is_one_line_and_keeps_the_old_database(tmp_path):
    path = tmp_path / "records.db"
    info = ArticleInfo("a", "a.txt")
    write_sqlite([(info, RECORDS)], path)
    before = path.read_bytes()
    blocker = tmp_path / f".records.db.{os.getpid()}.tmp"  # where the new one is built
    blocker.mkdir()
    (blocker / "x").write_text("x")
    with pytest.raises(OutputError, match=r"records\.db: cannot write"):
        write_sqlite([(info, RECORDS[:1])], path)
    assert path.read_bytes() == before
    with pytest.raises(OutputError, match="cannot write"):
        write_sqlite([(info, RECORDS)], tmp_path / "records.jsonl" / "records.db")


def _db_of(tmp_path, records, info=None):
    path = tmp_path / "records.db"
    info = info or ArticleInfo(article="a", path="a.txt", lang="ru",
                               segments={"title": 1, "body": len(records) - 1})
    write_sqlite([(info, records)], path)
    return sqlite3.connect(path)


def _record(index, src, kind=Kind.BODY, status=Status.TRANSLATED, tgt="x", flags=(), lang="ru"):
    return Record(article="a", index=index, kind=kind, src_lang=lang, src=src, tgt_lang="en",
                  tgt=tgt, status=status, flags=tuple(flags))


def _found(db, query):
    return [row[0] for row in db.execute(
        "select src from records where id in (select rowid from records_fts where records_fts "
        "match ?) order by id", [query])]


def test_search_ignores_diacritics_and_finds_russian_case_forms(tmp_path):
    db = _db_of(tmp_path, [
        _record(0, "Генеральный секретарь встретился с То Ламом", kind=Kind.TITLE),
        _record(1, "Chủ tịch nước Lương Cường tiếp đoàn", lang="vi", status=Status.KEPT,
                tgt=None),
        _record(2, "Генеральный секретарь То Лам заявил", flags=["near-duplicate-of:0"]),
    ])
    assert _found(db, '"Luong Cuong"') == ["Chủ tịch nước Lương Cường tiếp đoàn"]
    assert _found(db, "Лам") == ["Генеральный секретарь встретился с То Ламом",
                                 "Генеральный секретарь То Лам заявил"]


def test_articles_have_title_counts_and_flags_have_params(tmp_path):
    db = _db_of(tmp_path, [
        _record(0, "Заголовок статьи", kind=Kind.TITLE, tgt="The headline"),
        _record(1, "Первое предложение.", flags=["qa:low-score"]),
        _record(2, "Первое предложение.", status=Status.CACHED, flags=["duplicate-of:1"]),
    ])
    row = db.execute("select title, title_en, kind_title, kind_body, status_translated, "
                     "status_cached, status_no_model, flagged from articles").fetchone()
    assert row == ("Заголовок статьи", "The headline", 1, 2, 2, 1, 0, 2)
    assert db.execute("select flag, param from flags order by record_id").fetchall() == [
        ("qa:low-score", None), ("duplicate-of", "1")]
