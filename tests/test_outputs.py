"""TMX and the review page: a contract test every writer passes (write, read back with an
independent reader, compare), plus escaping and the corrections round trip."""

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import FakeEngines
from lxml import etree

from workbench.cli import cli
from workbench.outputs.review_pages import write_review
from workbench.outputs.tmx import write_tmx
from workbench.qa.checks import with_qa
from workbench.records import ArticleInfo, GlossaryHit, Kind, Record, Status
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

DTD = Path(__file__).resolve().parent / "data" / "fixtures" / "tmx" / "tmx14.dtd"

RECORDS = [
    Record("a", 0, Kind.TITLE, "ru", "Лыонг Кыонг & <друзья>", "en", "Lương Cường & <friends>",
           Status.TRANSLATED, -0.3,
           (GlossaryHit("Лыонг Кыонг", "Lương Cường", True, "placeholder"),)),
    Record("a", 1, Kind.BODY, "de", "„Gehirn“ des Zentralkomitees.", "en", "", Status.CACHED,
           -2.5, (GlossaryHit("Zentralkomitees", "Central Committee", False, "missed"),)),
    Record("a", 2, Kind.BOILERPLATE, "sv", "Kommentar (0)", "en", None, Status.KEPT),
    Record("a", 3, Kind.BODY, "nb", "Approved one.", "en", "Approved.", Status.APPROVED),
    Record("a", 4, Kind.BODY, "pl", "Brak modelu.", "en", None, Status.NO_MODEL),
]


def require_dtd() -> Path:
    if not DTD.exists():
        pytest.fail(f"missing test fixture: the TMX 1.4 DTD expected at {DTD}", pytrace=False)
    return DTD


def read_with_translate_toolkit(path: Path) -> list[tuple[str, str]]:
    from translate.storage import tmx

    store = tmx.tmxfile.parsefile(str(path))
    return [(unit.source, unit.target) for unit in store.units]


def test_tmx_validates_and_reads_back_identically(tmp_path):
    path = tmp_path / "r.tmx"
    assert write_tmx(RECORDS, path) == 3
    document = etree.parse(str(path))
    dtd = etree.DTD(str(require_dtd()))
    assert dtd.validate(document), dtd.error_log.filter_from_errors()
    header = document.find("header").attrib
    assert {k: header[k] for k in ("creationtool", "segtype", "o-tmf", "adminlang", "srclang",
                                   "datatype")} == {
        "creationtool": "workbench", "segtype": "sentence", "o-tmf": "workbench-jsonl",
        "adminlang": "en", "srclang": "*all*", "datatype": "PlainText"}
    assert read_with_translate_toolkit(path) == [
        ("Лыонг Кыонг & <друзья>", "Lương Cường & <friends>"),
        ("„Gehirn“ des Zentralkomitees.", ""), ("Approved one.", "Approved.")]
    props = [{p.get("type"): p.text for p in tu.findall("prop")} for tu in document.iter("tu")]
    assert props[0] == {"x-article": "a", "x-index": "0", "x-kind": "title",
                        "x-status": "translated"}


def test_tmx_can_include_kept_segments(tmp_path):
    path = tmp_path / "r.tmx"
    assert write_tmx(RECORDS, path, include_kept=True) == 4
    assert etree.DTD(str(require_dtd())).validate(etree.parse(str(path)))


def index_rows(path):
    """The article rows the index page's script renders."""
    html = path.read_text("utf-8")
    start = html.index('<script type="application/json" id="articles-data">')
    data = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert "<" not in data  # nothing in the data can close the script element
    return json.loads(data)


def test_review_page_escapes_everything(tmp_path):
    hostile = [Record("x", 0, Kind.BODY, "de", "<script>alert(1)</script> und "
                      "<img src=x onerror=alert(1)>", "en", "<b>bold</b>", Status.TRANSLATED,
                      -0.1)]
    info = ArticleInfo("x", "x.txt", "de", 1.0, source_url="javascript:alert(1)",
                       byline="<i>me</i>")
    path = tmp_path / "review.html"
    assert write_review(lambda: [(info, hostile)], path) == 1
    html = (tmp_path / "review" / "00001.html").read_text("utf-8")
    [row] = index_rows(path)
    assert (row["article"], row["href"], row["site"]) == ("x", "review/00001.html", "")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html and "<b>bold" not in html and "<i>me" not in html
    assert 'href="javascript' not in html
    assert "http://" not in html.split("<body")[1].split("<script>")[0]  # no network links


def test_review_page_flags_and_highlights(tmp_path):
    path = tmp_path / "review.html"
    records = [with_qa(r) for r in RECORDS]  # as the pipeline makes them
    write_review(lambda: [(ArticleInfo("a", "a.txt", "ru", 1.0), records)], path)
    html = (tmp_path / "review" / "00001.html").read_text("utf-8")
    [row] = index_rows(path)
    assert ["missed-term", 1] in row["flags"]
    assert row["flagged"] == 2  # the empty English and no-model; approved is not
    assert '<mark class="term">Лыонг Кыонг</mark>' in html
    assert '<mark class="term">Lương Cường</mark>' in html
    assert 'data-flags="missed-term qa:length qa:low-score"' in html  # empty English
    assert 'data-flags="no-model"' in html and 'data-flags="approved"' in html


def test_review_pages_render_again_only_changed_articles(tmp_path, monkeypatch):
    from workbench.outputs import review_pages as review

    rendered = []
    context = review._article_context
    monkeypatch.setattr(review, "_article_context",
                        lambda info, records: rendered.append(info.article) or
                        context(info, records))
    articles = [(ArticleInfo(name, f"{name}.txt", "ru", 1.0),
                 [with_qa(replace(r, article=name)) for r in RECORDS]) for name in "abc"]
    first, again = tmp_path / "first" / "review.html", tmp_path / "again" / "review.html"
    write_review(lambda: articles, first, {"started": "1"})
    assert rendered == ["a", "b", "c"]
    articles[1][1][0] = replace(articles[1][1][0], tgt="Edited.", status=Status.APPROVED)
    rendered.clear()
    write_review(lambda: articles, first, {"started": "2"})
    assert rendered == ["b"]  # a and c kept their bodies
    write_review(lambda: articles, again, {"started": "2"})  # the same, rendered in full
    for page in ("00001.html", "00002.html", "00003.html"):
        kept = (first.parent / "review" / page).read_text("utf-8")
        full = (again.parent / "review" / page).read_text("utf-8")
        assert kept.replace(str(first.parent.resolve()), "") == \
            full.replace(str(again.parent.resolve()), ""), page
    assert "Edited." in (first.parent / "review" / "00002.html").read_text("utf-8")
    assert 'data-run="2|' in (first.parent / "review" / "00001.html").read_text("utf-8")
    # Old pages that are not what we wrote are rendered again, never trusted or waited on.
    pages = first.parent / "review"
    (pages / "00001.html").unlink()
    os.mkfifo(pages / "00001.html")  # a read would block
    (pages / "00003.html").write_bytes(b"\xff\xfe not text")
    rendered.clear()
    write_review(lambda: articles, first, {"started": "3"})
    assert rendered == ["a", "c"]


def test_corrections_win_in_later_runs_without_a_model(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Regjeringen la fram budsjettet i dag. "
                                  "Statsministeren var fornøyd.\n", encoding="utf-8")
    settings = Settings(models_dir=tmp_path / "m", cache_path=tmp_path / "c.db",
                        glossary_paths=())
    translate_inputs([folder], tmp_path / "out", settings, FakeEngines(["nb"]))
    corrections = tmp_path / "corrections.json"
    corrections.write_text(json.dumps({"workbench_corrections": 1, "corrections": [{
        "article": "a", "index": 0, "src_lang": "nb", "tgt_lang": "en",
        "src": "Regjeringen la fram budsjettet i dag.",
        "tgt": "The government presented the budget today."}]}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["corrections", "apply", str(corrections), "--cache",
                                      str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output
    engines = FakeEngines([])  # no model at all: the approved sentence must not need one
    stats = translate_inputs([folder], tmp_path / "out2", settings, engines).stats
    records = [json.loads(x) for x in (tmp_path / "out2" / "records.jsonl").read_text()
               .splitlines()]
    assert (records[0]["status"], records[0]["tgt"]) == (
        "approved", "The government presented the budget today.")
    assert records[1]["status"] == "cached"
    assert stats.complete
    export = CliRunner().invoke(cli, ["export", str(tmp_path / "out2"), "--format", "tmx"])
    assert export.exit_code == 0, export.output
    units = read_with_translate_toolkit(tmp_path / "out2" / "records.tmx")
    assert ("Regjeringen la fram budsjettet i dag.",
            "The government presented the budget today.") in units


def test_bad_corrections_file_is_named(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text('{"corrections": [{"src_lang": "nb"}]}')
    result = CliRunner().invoke(cli, ["corrections", "apply", str(bad), "--cache",
                                      str(tmp_path / "c.db")])
    assert result.exit_code == 3  # the file was not read: incomplete
    assert result.output == (f"Error: {bad}: correction 1 has no tgt_lang, src, tgt "
                             "(text expected)\n")


def test_approved_translations_are_checked_against_the_glossary(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Generalsekretær To Lam besøkte Hanoi i går. "
                                  "Statsministeren var fornøyd.\n", encoding="utf-8")
    glossary = Path(__file__).resolve().parent.parent / "glossary"
    settings = Settings(models_dir=tmp_path / "m", cache_path=tmp_path / "c.db",
                        glossary_paths=(glossary,))
    corrections = tmp_path / "corrections.json"
    corrections.write_text(json.dumps({"corrections": [{
        "src_lang": "nb", "tgt_lang": "en", "src": "Generalsekretær To Lam besøkte Hanoi i går.",
        "tgt": "Tô Lâm visited Hanoi yesterday."}]}), encoding="utf-8")
    assert CliRunner().invoke(cli, ["corrections", "apply", str(corrections), "--cache",
                                    str(tmp_path / "c.db")]).exit_code == 0
    translate_inputs([folder], tmp_path / "out", settings, FakeEngines(["nb"]))
    first = json.loads((tmp_path / "out" / "records.jsonl").read_text().splitlines()[0])
    assert first["status"] == "approved"
    assert [(h["target"], h["found"], h["enforced"]) for h in first["glossary"]] == [
        ("General Secretary", False, "missed"), ("Tô Lâm", True, "approved"),
        ("Hanoi", True, "approved")]
