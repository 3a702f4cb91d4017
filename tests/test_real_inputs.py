"""HTML pages, JSONL/CSV feeds and standard input.

The pages in tests/data/html were written for these tests in the styles of the seeds' sites
(vietnamplus, baochinhphu, nhandan), with the chrome such pages carry. End-to-end runs use
the RANDOM-WEIGHT models through the real engine.
"""

import json
import os
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from workbench.cli import cli
from workbench.errors import InputError
from workbench.records import Kind
from workbench.text.feed import DEFAULT_FIELDS, field_names, read_feed
from workbench.text.html_page import extract_page

PAGES = Path(__file__).resolve().parent / "data" / "html"
#: Chrome each page carries; none of it may become a translated record.
CHROME = ["Akceptuję", "Polityka prywatności", "Gospodarka", "Strona główna", "Udostępnij",
          "Tagi", "Czytaj także", "Eksport ryżu", "Najczęściej czytane", "Festiwal kwiatów",
          "Wszelkie prawa", "Komentarze", "Anmelden", "Cookies", "Teilen", "Schlagwörter",
          "Kommentare", "Verwandte Artikel", "Bodengesetz", "Alle Rechte", "Главная", "Поиск",
          "cookie", "Поделиться", "Другие новости", "выставка", "Все права", "Drucken"]


def page_paragraphs(name: str) -> list[str]:
    """The article's own paragraphs, read independently: the lead and every <p> of the
    article body (not of related boxes or footers)."""
    tree = lxml_html.parse(str(PAGES / name))
    texts = tree.xpath("//*[contains(@class,'sapo')] | //article//p | "
                       "//*[contains(@class,'detail-content')]//p | "
                       "//*[contains(@class,'article__body')]//p")
    return [" ".join(" ".join(t.itertext()).split()) for t in texts
            if not t.xpath("ancestor::footer")]


@pytest.mark.parametrize(("name", "url", "date", "byline", "caption", "credit"), [
    ("vietnamplus_pl.html",
     "https://pl.vietnamplus.vn/premier-przyjal-delegacje-z-japonii-post2231.vnp",
     "2025-03-14T09:25:00+07:00", "Anna Kowalska",
     "Premier Pham Minh Chinh podczas spotkania z delegacją.", "(Fot. VNA)"),
    ("baochinhphu_de.html",
     "https://de.baochinhphu.vn/regierung-beschliesst-programm-102250318.htm",
     "2025-03-18T16:40:00+07:00", "Thomas Weber", "Eine Sitzung der Regierung in Hanoi.",
     "Foto: VGP"),
    ("nhandan_ru.html", "https://ru.nhandan.vn/forum-po-turizmu-post81234.html",
     "2025-04-02T08:05:00+07:00", "Ирина Смирнова", "Участники форума в Дананге.",
     "Фото: Нянзан"),
])
def test_page_extraction(name, url, date, byline, caption, credit):
    parts = extract_page(PAGES / name, (PAGES / name).read_bytes())
    body = [text for kind, text in parts.lines if kind is None]
    expected = page_paragraphs(name)
    assert len(expected) >= 4
    assert [t for t in body if t in expected] == expected  # every paragraph, in order
    assert parts.lines[0][0] == Kind.TITLE
    assert parts.lines[0][1] == lxml_html.parse(str(PAGES / name)).xpath("string(//h1)")
    # The caption is translated; its photo credit is a line of its own, kept.
    at = parts.lines.index((Kind.CAPTION, caption))
    assert parts.lines[at + 1] == (Kind.CREDIT, credit)
    assert (parts.source_url, parts.date, parts.byline) == (url, date, byline)
    assert not [c for c in CHROME if any(c in text for _, text in parts.lines)]
    assert parts.removed_chars > 0


def test_not_a_page_is_one_error(tmp_path):
    page = tmp_path / "empty.html"
    page.write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(InputError, match="no article text found in this page"):
        extract_page(page, page.read_bytes())


def write_feed(folder: Path) -> Path:
    feed = folder / "feed.jsonl"
    entries = [
        {"id": "a1", "url": "https://x.vn/a1", "title": "Rząd zatwierdził plan lotnisk",
         "text": "Rząd zatwierdził w poniedziałek plan rozwoju lotnisk do 2030 roku.\n\n"
                 "Plan przewiduje budowę trzech nowych terminali.",
         "date": "2025-03-20", "author": "Jan Nowak", "lang": "pl"},
        {"url": "https://x.vn/a2", "title": "Exportrekord bei Kaffee",
         "body": "Der Export von Kaffee ist im ersten Quartal um zwölf Prozent gestiegen.",
         "published": "2025-03-21"},
    ]
    lines = [json.dumps(e, ensure_ascii=False) for e in entries]
    lines.insert(2, '{"id": "broken", "text": "no closing quote}')
    feed.write_text("\n".join(lines) + "\n", "utf-8")
    return feed


def test_pages_and_a_feed_with_a_broken_line(tmp_path, installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    for page in PAGES.glob("*.html"):
        (folder / page.name).write_bytes(page.read_bytes())
    write_feed(folder)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "translate", str(folder), "-o", str(out), "--silent", "--models-dir",
        str(installed_models), "--cache", str(tmp_path / "c.db"), "--no-glossary",
        "--format", "jsonl,sqlite"])
    assert result.exit_code == 3, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "feed.jsonl:3: not valid JSON" in errors[0]
    records = [json.loads(line) for line in (out / "records.jsonl").open()]
    articles = {a["article"]: a for a in map(json.loads, (out / "articles.jsonl").open())}
    translated = [r for r in records if r["status"] == "translated"]
    for page in PAGES.glob("*.html"):
        mine = " ".join(r["src"] for r in records if r["article"] == page.stem)
        for paragraph in page_paragraphs(page.name):
            assert paragraph in mine
    assert not [c for c in CHROME if any(c in r["src"] for r in translated)]
    assert {r["src"] for r in records if r["kind"] == "caption" and
            r["article"] == "baochinhphu_de"} == {"Eine Sitzung der Regierung in Hanoi."}
    assert {(r["src"], r["status"]) for r in records if r["kind"] == "credit" and
            r["article"] == "baochinhphu_de"} == {("Foto: VGP", "kept")}
    page = articles["vietnamplus_pl"]
    assert page["source_url"].endswith("post2231.vnp") and "utm" not in page["source_url"]
    assert (page["date"], page["byline"]) == ("2025-03-14T09:25:00+07:00", "Anna Kowalska")
    feed_entry = articles["a1"]
    assert (feed_entry["path"].endswith("feed.jsonl:1"), feed_entry["lang"],
            feed_entry["byline"], feed_entry["date"], feed_entry["site"]) == (
        True, "pl", "Jan Nowak", "2025-03-20", "x.vn")
    assert [r["kind"] for r in records if r["article"] == "a1"] == ["title", "body", "body"]
    assert articles["feed:2"]["date"] == "2025-03-21"
    assert articles["feed:3"]["error"].startswith("not valid JSON")
    db = sqlite3.connect(out / "records.db")
    assert db.execute("select count(*) from records").fetchone()[0] == len(records)


def test_csv_feed_with_renamed_fields(tmp_path):
    feed = tmp_path / "export.csv"
    feed.write_text('maintext,headline,lang\n'
                    '"Erste Zeile.\nZweite Zeile.",Titel eins,de\n'
                    ',Nur ein Titel,de\n'
                    'Dritter Text.,Titel drei,de\n', "utf-8")
    fields = field_names({"text": "maintext", "title": "headline"})
    entries = list(read_feed(feed, fields))
    assert [getattr(e, "article", None) for e in entries] == ["export:2", None, "export:5"]
    assert [text for _, text in entries[0].parts.lines] == [
        "Titel eins", "Erste Zeile.", "Zweite Zeile."]
    assert isinstance(entries[1], InputError) and entries[1].line == 4
    assert "no article text (field maintext)" in str(entries[1])
    with pytest.raises(ValueError, match="unknown article field 'body'"):
        field_names({"body": "x"})


def test_a_feed_is_streamed_not_loaded(tmp_path):
    feed = tmp_path / "big.jsonl"
    line = json.dumps({"title": "Titel", "text": "Ein kurzer Text über den Haushalt. " * 5})
    with feed.open("w") as handle:
        for _ in range(50_000):
            handle.write(line + "\n")
    assert feed.stat().st_size > 9_000_000
    tracemalloc.start()
    count = sum(1 for _ in read_feed(feed, DEFAULT_FIELDS))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 50_000
    assert peak < 1_000_000  # a few entries at a time, not the 9 MB file


def test_hostile_feeds_and_pages_are_one_line_each(tmp_path):
    from workbench.run.runner import article_files

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "header-only.csv").write_text("id,text\n", "utf-8")
    (folder / "nul.csv").write_bytes(b"\x00\x01garbage")
    (folder / "deep.jsonl").write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    os.mkfifo(folder / "fifo.jsonl")
    errors = [str(item) for item in article_files([folder], DEFAULT_FIELDS)
              if isinstance(item, InputError)]
    empty = "no articles in this feed (empty, or a header and no rows)"
    assert errors == [f"{folder / 'deep.jsonl'}:1: not valid JSON (nested too deeply)",
                      f"{folder / 'fifo.jsonl'}: a named pipe (FIFO), not a regular file",
                      f"{folder / 'header-only.csv'}: {empty}", f"{folder / 'nul.csv'}: {empty}"]
    binary = folder / "binary.html"
    binary.write_bytes(bytes(range(1, 256)) * 20)
    with pytest.raises(InputError, match=r"binary\.html: (not an HTML page|no article text)"):
        extract_page(binary, binary.read_bytes())


def test_article_ids_are_unique_across_files_and_feeds(tmp_path):
    from workbench.run.runner import article_files

    (tmp_path / "b.jsonl").write_text('{"id": "z", "text": "Ein Text."}\n'
                                      '{"id": "z", "text": "Noch ein Text."}\n', "utf-8")
    (tmp_path / "z.txt").write_text("Die Regierung tagte heute lange.\n", "utf-8")
    ids = [item.article for item in article_files([tmp_path], DEFAULT_FIELDS)]
    assert ids == ["z", "z~2", "z~3"]  # the feed comes first (b < z), then the file


def test_binary_standard_input_is_named(tmp_path):
    result = CliRunner().invoke(cli, [
        "translate", "-", "-o", str(tmp_path / "out"), "--silent", "--models-dir",
        str(tmp_path), "--cache", str(tmp_path / "c.db"), "--no-glossary"],
        input=b"abc\x00def")
    assert result.exit_code == 3
    assert "Error: standard input: binary file (NUL byte at offset 3)" in result.output


def test_standard_input(tmp_path, installed_models, seeds_dir):
    text = (seeds_dir / "002_56b54d490b5aedd0.txt").read_bytes()
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "translate", "-", "-o", str(out), "--silent", "--models-dir", str(installed_models),
        "--cache", str(tmp_path / "c.db"), "--no-glossary", "--format", "jsonl"], input=text)
    assert result.exit_code == 0, result.output
    (article,) = map(json.loads, (out / "articles.jsonl").open())
    assert (article["article"], article["path"], article["lang"]) == ("stdin", "-", "de")
    page = (PAGES / "nhandan_ru.html").read_bytes()
    result = CliRunner().invoke(cli, [
        "translate", "-", "-o", str(out), "--silent", "--models-dir", str(installed_models),
        "--cache", str(tmp_path / "c.db"), "--no-glossary", "--format", "jsonl"], input=page)
    assert result.exit_code == 0, result.output
    (article,) = map(json.loads, (out / "articles.jsonl").open())
    assert article["source_url"] == "https://ru.nhandan.vn/forum-po-turizmu-post81234.html"
