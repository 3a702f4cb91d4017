"""QA checks: each with sentences that must be flagged and sentences that must not."""

import json

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.qa.checks import findings, with_qa
from workbench.records import GlossaryHit, Kind, Record, Status


def rec(src, tgt, score=-0.3, status=Status.TRANSLATED, glossary=(), lang="de"):
    return Record("a", 0, Kind.BODY, lang, src, "en", tgt, status, score, glossary)


def flags(record):
    return [f.flag for f in findings(record)]


@pytest.mark.parametrize(("src", "tgt", "lang"), [
    ("Der Preis stieg um 12,5 Prozent.", "The price rose by 12.5 percent.", "de"),
    ("Es kamen 3.400 Menschen.", "3,400 people came.", "de"),
    ("Przyszło 3 400 osób.", "3400 people came.", "pl"),
    ("Am 3. Oktober wurde gewählt.", "The election was held on October 3.", "de"),
    ("Dekret Nr. 12/2025 trat in Kraft.", "Decree No. 12/2025 came into force.", "de"),
])
def test_numbers_compared_by_value_not_spelling(src, tgt, lang):
    assert "qa:number" not in flags(rec(src, tgt, lang=lang))


def test_a_lost_or_changed_number_is_flagged():
    assert flags(rec("Der Preis stieg um 12,5 Prozent.", "The price rose sharply.")) == [
        "qa:number"]
    assert "qa:number" in flags(rec("Es kamen 3.400 Menschen.", "4,300 people came."))


def test_a_protected_document_number_counts_when_its_target_arrived():
    hit = GlossaryHit("Beschluss Nr. 35", "Resolution No. 35", True, "placeholder")
    assert "qa:number" not in flags(rec("Beschluss Nr. 35 gilt.", "Resolution No. 35 applies.",
                                        glossary=(hit,)))


def test_urls_and_addresses_must_survive():
    src = "Mehr unter https://example.de/a.html oder info@example.de."
    assert flags(rec(src, "More at https://example.de/a.html or info@example.de.")) == []
    assert flags(rec(src, "More at the website or by mail.")) == ["qa:url"]


def test_copied_source_words_are_untranslated_but_names_are_not():
    assert "qa:untranslated" in flags(rec(
        "Die Regierung hat heute den neuen Haushalt vorgestellt.",
        "The government hat heute den new budget presented."))
    assert flags(rec("Tô Lâm traf Lương Cường in Hanoi.",
                     "Tô Lâm met Lương Cường in Hanoi.")) == []


def test_loops_and_overused_words_are_repetition():
    assert "qa:repetition" in flags(rec("Der Kanzler sprach lange mit den Ministern.",
                                        "The chancellor spoke of the of the of the ministers."))
    assert "qa:repetition" in flags(rec("Der Kanzler sprach lange.",
                                        "The chancellor chancellor spoke chancellor long."))
    assert "qa:repetition" not in flags(rec("Sie sagte, sie sei, sie bleibe.",
                                            "She said she was, she stays."))


def test_length_outside_the_band_and_low_scores():
    long_source = "Die Regierung hat heute in Berlin den neuen Haushalt vorgestellt."
    assert flags(rec(long_source, "Government.")) == ["qa:length"]
    assert flags(rec(long_source, "The government presented the new budget in Berlin today.",
                     score=-2.5)) == ["qa:low-score"]
    assert flags(rec("Kurz.", "Short.")) == []


def test_approved_translations_are_checked_too_and_flags_are_recomputed():
    approved = rec("Es kamen 3.400 Menschen.", "Many people came.", None, Status.APPROVED)
    assert with_qa(approved).flags == ("qa:number",)
    fixed = with_qa(rec("Es kamen 3.400 Menschen.", "3,400 people came.")).flags
    assert fixed == ()
    kept = rec("Text ohne Zahl.", None, None, Status.KEPT)
    assert findings(kept) == []


def test_workbench_qa_reports_flagged_segments(tmp_path, installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zahlen.txt").write_text(
        "Im Jahr 2024 stiegen die Ausgaben um 12,5 Prozent auf 3.400 Millionen Euro. "
        "Mehr dazu unter https://example.de/haushalt.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "translate", str(folder), "-o", str(out), "--silent", "--models-dir",
        str(installed_models), "--cache", str(tmp_path / "c.db"), "--no-glossary"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "records.jsonl").open()]
    flagged = {f for r in records for f in r["flags"]}
    # Random-weight models lose numbers and URLs: both are caught.
    assert {"qa:number", "qa:url"} <= flagged
    report = CliRunner().invoke(cli, ["qa", str(out), "--json"])
    assert report.exit_code == 3
    data = json.loads(report.stdout)
    assert data["flags"]["qa:number"] == sum("qa:number" in r["flags"] for r in records)
    assert data["articles"]["zahlen"]["qa:url"] == 1
    segment = next(s for s in data["segments"] if "qa:url" in s["flags"])
    assert segment["src"] == records[1]["src"] and segment["reasons"]["qa:url"].startswith(
        "'https://example.de/haushalt'")
    page = (out / "review" / "00001.html").read_text("utf-8")
    assert "qa:url: &#39;https://example.de/haushalt&#39; is missing" in page
    assert '<option value="qa:number">' in (out / "review.html").read_text("utf-8")


def test_an_unchanged_article_takes_its_flags_from_the_cache(tmp_path, monkeypatch):
    from dataclasses import replace

    from workbench.cache.store import TranslationCache
    from workbench.qa import memo as qa_memo

    checks = []
    monkeypatch.setattr(qa_memo, "with_qa", lambda r: checks.append(r.index) or with_qa(r))
    article = [replace(rec("Es kamen 3.400 Menschen.", "People came.", score=-2.0), index=0),
               replace(rec("Kurz.", "Short.", glossary=(GlossaryHit("Kurz", "Short", True,
                                                                    "matched"),)), index=1),
               replace(rec("Kommentar (0)", None, status=Status.KEPT), index=2,
                       flags=("glued",))]
    expected = tuple(with_qa(r) for r in article)
    assert expected[0].flags == ("qa:number", "qa:low-score")
    with TranslationCache(tmp_path / "c.db") as cache:
        memo = qa_memo.QAMemo(cache)
        assert memo.checked(article) == expected and checks == [0, 1, 2]
        memo.flush()
    checks.clear()
    with TranslationCache(tmp_path / "c.db") as cache:  # a later run
        memo = qa_memo.QAMemo(cache)
        assert memo.checked(article) == expected and checks == []
        cached = [replace(r, status=Status.CACHED) if r.status is Status.TRANSLATED else r
                  for r in article]  # a warm run repeats what a cold run checked
        assert memo.checked(cached) == tuple(with_qa(r) for r in cached) and checks == []
        # Anything a check reads is part of the key: the article is checked again.
        for changed in (replace(article[0], tgt="3,400 people came."),
                        replace(article[0], score=-0.1),
                        replace(article[0], status=Status.FAILED)):
            assert memo.checked([changed, *article[1:]]) == \
                tuple(with_qa(r) for r in [changed, *article[1:]])
        assert checks == [0, 1, 2] * 3
        checks.clear()
        hit = replace(article[1].glossary[0], found=False)
        memo.checked([article[0], replace(article[1], glossary=(hit,)), article[2]])
        assert checks == [0, 1, 2]


def test_flags_stored_wrong_are_checked_again(tmp_path):
    from workbench.cache.store import TranslationCache
    from workbench.qa import memo as qa_memo

    article = [rec("Es kamen 3.400 Menschen.", "People came.")]
    with TranslationCache(tmp_path / "c.db") as cache:
        memo = qa_memo.QAMemo(cache)
        memo.checked(article)
        memo.flush()
        [(key,)] = cache.conn.execute("select key from qa").fetchall()
        for damaged in (b"not json", b"[]", b'[["glued"]]', b'[[1]]', b"{}"):
            cache.put_blobs("qa", {key: damaged})
            assert qa_memo.QAMemo(cache).checked(article) == (with_qa(article[0]),), damaged
