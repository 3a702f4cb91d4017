"""The review desk over HTTP: the real server (`workbench review`), real runs, real models.

The models have RANDOM WEIGHTS (see conftest): the tests check what is saved, counted and
re-translated, never the wording of the English.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from desk_server import DeskProcess, make_run, records, translate

from workbench.cli import cli


@pytest.fixture
def run(tmp_path, installed_models):
    out, cache, glossary = make_run(tmp_path, installed_models)
    return out, cache, glossary, installed_models


def first_translated(out):
    return next(r for r in records(out) if r["status"] == "translated")


def test_index_lists_every_article_with_headline_language_counts_and_progress(run):
    out, *_ = run
    with DeskProcess(out) as desk:
        data = desk.get("/api/run").json()
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert [a["article"] for a in data["articles"]] == [a["article"] for a in articles]
    wanted = [r for r in records(out) if r["status"] != "kept"
              and r["kind"] in ("title", "body", "caption")]
    assert data["run"]["reviewable"] == len(wanted) and data["run"]["reviewed"] == 0
    for row in data["articles"]:
        own = [r for r in records(out) if r["article"] == row["article"]]
        assert row["headline"] and row["lang"] in ("nb", "pl")
        assert sum(row["statuses"].values()) == len(own)
        assert row["reviewable"] == sum(r in wanted for r in own)


def test_approval_as_is_survives_a_restart_and_the_next_translate_shows_it(run, tmp_path):
    out, cache, glossary, models = run
    record = first_translated(out)
    with DeskProcess(out) as desk:
        saved = desk.post("/api/approve", {"article": record["article"],
                                           "index": record["index"], "base": record["tgt"]})
        assert saved.status == 200, saved.body
        assert saved.json()["segment"]["approved"] and saved.json()["run_reviewed"] >= 1
    assert desk.stop() == 0 and "every change is saved" in desk.stderr
    with DeskProcess(out) as desk:  # a new server: the approval came from the cache
        shown = desk.article(record["article"])["segments"][record["index"]]
        assert shown["approved"] and shown["tgt"] == record["tgt"]
    translate(tmp_path / "in", out, cache, glossary, models)
    again = next(r for r in records(out)
                 if (r["article"], r["index"]) == (record["article"], record["index"]))
    assert again["status"] == "approved" and again["tgt"] == record["tgt"]


def test_an_edit_from_a_stale_tab_is_refused_and_shows_the_other_text(run):
    out, *_ = run
    record = first_translated(out)
    where = {"article": record["article"], "index": record["index"]}
    with DeskProcess(out) as desk:
        first = desk.post("/api/save", {**where, "tgt": "The first reviewer's English.",
                                        "base": record["tgt"]})
        assert first.status == 200, first.body
        stale = desk.post("/api/save", {**where, "tgt": "The second tab's English.",
                                        "base": record["tgt"]})
        assert stale.status == 409
        assert stale.json()["theirs"] == "The first reviewer's English."
        assert "changed meanwhile" in stale.json()["error"]
        shown = desk.article(record["article"])["segments"][record["index"]]
        assert shown["tgt"] == "The first reviewer's English."
        # Seen the other text, the second reviewer may still replace it.
        second = desk.post("/api/save", {**where, "tgt": "The second tab's English.",
                                         "base": "The first reviewer's English."})
        assert second.status == 200
        assert second.json()["segment"]["tgt"] == "The second tab's English."


def test_an_approval_can_be_undone_and_the_machine_english_returns(run, tmp_path):
    out, cache, glossary, models = run
    record = first_translated(out)
    where = {"article": record["article"], "index": record["index"]}
    with DeskProcess(out) as desk:
        assert desk.post("/api/save", {**where, "tgt": "Mine.", "base": record["tgt"]}
                         ).status == 200
        undone = desk.post("/api/withdraw", {**where, "base": "Mine."})
        assert undone.status == 200, undone.body
        assert undone.json()["segment"]["tgt"] == record["tgt"]
        assert not undone.json()["segment"]["approved"]
        nothing = desk.post("/api/withdraw", {**where, "base": record["tgt"]})
        assert nothing.status == 409
    translate(tmp_path / "in", out, cache, glossary, models)
    again = next(r for r in records(out)
                 if (r["article"], r["index"]) == (record["article"], record["index"]))
    assert again["status"] == "cached" and again["tgt"] == record["tgt"]


def test_a_new_term_re_translates_exactly_what_its_preview_listed_and_undo_restores(
        run, tmp_path):
    out, cache, glossary, models = run
    term = {"form": "partikomité", "lang": "nb", "target": "Party Committee", "type": "body"}
    holding = [r for r in records(out) if "partikomité" in r["src"].lower()
               and r["status"] == "translated"]
    assert holding, "the seed must hold the form"
    files_before = {p.name: p.read_bytes() for p in glossary.iterdir()}
    with DeskProcess(out) as desk:
        preview = desk.post("/api/terms/preview", term).json()
        # Every inflection counts ("partikomiteen"), so at least the literal form's segments.
        assert preview["outcome"] == "added" and preview["count"] >= len(holding)
        assert all("partikomit" in s["src"].lower() for s in preview["segments"])
        assert files_before == {p.name: p.read_bytes() for p in glossary.iterdir()}
        saved = desk.post("/api/terms/save", term)
        assert saved.status == 200, saved.body
        result = saved.json()
        assert result["count"] == preview["count"] == len(result["segments"])
        assert {(s["article"], s["index"]) for s in result["segments"]} == \
            {(s["article"], s["index"]) for s in preview["segments"]}
        assert all(s["after"] and "Party Committee" in s["after"] for s in result["segments"])
        assert 'target = "Party Committee"' in (glossary / "bodies.toml").read_text()
        # records.jsonl has the new English already: the desk and every export agree.
        now = {(r["article"], r["index"]): r["tgt"] for r in records(out)}
        assert all(now[(s["article"], s["index"])] == s["after"] for s in result["segments"])
        # The next run agrees: nothing to translate, nothing re-translated.
        output = translate(tmp_path / "in", out, cache, glossary, models)
        assert " 0 translated," in output and "0 re-translated for glossary" in output
        undone = desk.post("/api/terms/undo", {"change": result["change"]})
        assert undone.status == 200, undone.body
        assert {s["after"] for s in undone.json()["segments"]} == \
            {s["before"] for s in result["segments"]}
    assert files_before == {p.name: p.read_bytes() for p in glossary.iterdir()}
    output = translate(tmp_path / "in", out, cache, glossary, models)
    assert " 0 translated," in output


def test_a_form_added_to_an_existing_entry_and_refusals_name_the_problem(run):
    out, *_ = run
    with DeskProcess(out) as desk:
        taken = desk.post("/api/terms/preview", {"form": "Nasjonalforsamling", "lang": "nb",
                                                 "target": "Parliament", "type": "body"})
        assert taken.status == 409 and "National Assembly" in taken.json()["error"]
        missing = desk.post("/api/terms/preview", {"form": "x y", "lang": "nb",
                                                   "target": "Nobody Here", "type": "body",
                                                   "extends": True})
        assert missing.status == 404
        bad = desk.post("/api/terms/preview", {"form": "x", "lang": "<b>", "target": "X",
                                               "type": "body"})
        assert bad.status == 400 and "language code" in bad.json()["error"]
        extended = desk.post("/api/terms/preview", {"form": "Stortinget", "lang": "latin",
                                                    "target": "National Assembly",
                                                    "type": "body", "extends": True})
        assert extended.status == 200 and extended.json()["outcome"] == "extended"


def test_concordance_counts_every_segment_holding_the_phrase(run):
    out, *_ = run
    phrase = "nasjonalforsamlingen"
    expected = [r for r in records(out) if phrase in r["src"].lower()
                or phrase in (r["tgt"] or "").lower()]
    with DeskProcess(out) as desk:
        found = desk.get(f"/api/search?q={phrase.upper()}").json()
        short = desk.get("/api/search?q=a")
    assert found["total"] == len(expected) and found["in_source"] == len(expected)
    assert found["renderings"].get("National Assembly", 0) > 0
    assert short.status == 400


def test_read_only_desk_shows_but_changes_nothing(run):
    out, cache, *_ = run
    record = first_translated(out)
    before = cache.read_bytes()
    with DeskProcess(out, "--read-only") as desk:
        assert desk.get("/api/run").json()["run"]["read_only"] is True
        refused = desk.post("/api/approve", {"article": record["article"],
                                             "index": record["index"], "base": record["tgt"]})
        assert refused.status == 403 and "read-only" in refused.json()["error"]
        assert desk.post("/api/terms/save", {"form": "a b", "lang": "nb", "target": "A B",
                                             "type": "body"}).status == 403
    assert cache.read_bytes() == before


# --- safe by default --------------------------------------------------------------------

def test_foreign_host_origin_missing_token_and_big_bodies_are_refused(run):
    out, *_ = run
    record = first_translated(out)
    body = {"article": record["article"], "index": record["index"], "base": record["tgt"]}
    with DeskProcess(out) as desk:
        assert desk.get("/api/run", Host="rebound.example.com:80").status == 421
        assert desk.get("/api/run", Origin="http://evil.example").status == 403
        assert desk.post("/api/approve", body, Origin="http://evil.example").status == 403
        assert desk.post("/api/approve", body, token="wrong").status == 403
        no_token = desk.request("POST", "/api/approve", json.dumps(body).encode(),
                                {"Content-Type": "application/json"})
        assert no_token.status == 403
        form = desk.request("POST", "/api/approve", b"a=1",
                            {"Content-Type": "application/x-www-form-urlencoded",
                             "X-Desk-Token": desk.token})
        assert form.status == 415
        huge = desk.post("/api/save", {**body, "tgt": "x" * 100_000})
        assert huge.status == 413
        assert desk.request("PUT", "/api/save", b"{}").status == 405
        page = desk.get("/")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert desk.get("/api/article?id=none").status == 404
        assert not desk.article(record["article"])["segments"][record["index"]]["approved"]


@pytest.mark.parametrize("path", ["/static/../run.json", "/static/%2e%2e/run.json",
                                  "/static/..%2f..%2frun.json", "/run.json", "/records.jsonl",
                                  "/static/desk.html?x=/etc/passwd", "/api/article?id=../run"])
def test_nothing_outside_the_desk_is_served(run, path):
    out, *_ = run
    with DeskProcess(out) as desk:
        answer = desk.get(path)
    assert answer.status == 404
    assert b"records_sha256" not in answer.body and b"root:" not in answer.body


def test_hostile_article_text_comes_back_as_json_text(tmp_path, installed_models):
    hostile = ("<script>alert(1)</script> Nasjonalforsamlingen holdt møte i dag.\n"
               "<img src=x onerror=alert(2)> Regjeringen svarte raskt på spørsmålet.\n")
    out, *_ = make_run(tmp_path, installed_models, stems=(), extra={"evil.txt": hostile})
    with DeskProcess(out) as desk:
        answer = desk.get("/api/article?id=evil")
        page = desk.get("/").body.decode()
    assert answer.headers["content-type"].startswith("application/json")
    sources = [s["src"] for s in answer.json()["segments"]]
    assert any("<script>alert(1)</script>" in s for s in sources)
    assert "alert" not in page and "<script>" not in page.replace(
        '<script src="/static/desk.js" defer></script>', "")


def test_serving_beyond_loopback_warns(run):
    out, *_ = run
    with DeskProcess(out, "--host", "0.0.0.0") as desk:
        assert desk.get("/api/run").status == 200
    assert "other machines can reach it" in desk.stderr


def test_a_run_without_its_cache_is_one_clear_line(run):
    out, cache, *_ = run
    cache.unlink()
    result = CliRunner().invoke(cli, ["review", str(out), "--no-open", "--port", "0"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Reading the run in")  # progress, then one error line
    assert len(lines) == 2 and lines[1].startswith("Error: ") and lines[1].endswith(
        "cache.db: the cache this run used is gone; run `workbench translate` again to make it")


def test_the_desk_reads_a_run_again_when_translate_rewrites_it(run, tmp_path):
    out, cache, glossary, models = run
    with DeskProcess(out) as desk:
        assert len(desk.get("/api/run").json()["articles"]) == 2
        shutil.copy(tmp_path / "in" / "000_6ee16a1a097d6283.txt", tmp_path / "in" / "copy.txt")
        translate(tmp_path / "in", out, cache, glossary, models)
        assert len(desk.get("/api/run").json()["articles"]) == 3


def test_two_desks_on_one_run_refuse_the_stale_save(run):
    """Two reviewers, each with their own desk process, on one run and one cache."""
    out, *_ = run
    record = first_translated(out)
    where = {"article": record["article"], "index": record["index"]}
    with DeskProcess(out) as first, DeskProcess(out) as second:
        assert first.post("/api/save", {**where, "tgt": "First desk.",
                                        "base": record["tgt"]}).status == 200
        stale = second.post("/api/save", {**where, "tgt": "Second desk.",
                                          "base": record["tgt"]})
        assert stale.status == 409 and stale.json()["theirs"] == "First desk."
        gone = second.post("/api/withdraw", {**where, "base": record["tgt"]})
        assert gone.status == 409
        assert first.article(record["article"])["segments"][record["index"]]["tgt"] == \
            "First desk."


def test_rewriting_a_run_copies_untouched_articles_and_keeps_its_digest(run):
    """replace_records copies untouched articles' lines as they are: with one record
    replaced by itself, records.jsonl and run.json's digests are what the run wrote."""
    from workbench.outputs.run_folder import read_records
    from workbench.qa.checks import with_qa
    from workbench.run.export import replace_records

    out, *_ = run
    before = (out / "records.jsonl").read_bytes()
    manifest = json.loads((out / "run.json").read_text())
    first = next(read_records(out))
    changed = replace_records(out, {(first.article, first.index): first},
                              lambda records: [with_qa(r) for r in records],
                              manifest["glossary"]["version"])
    assert changed == 1
    assert (out / "records.jsonl").read_bytes() == before
    after = json.loads((out / "run.json").read_text())
    assert after["records_sha256"] == manifest["records_sha256"]
    assert after["outputs_sha256"] == manifest["outputs_sha256"]
