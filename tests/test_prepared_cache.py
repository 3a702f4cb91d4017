"""Preparation is cached by content: an unchanged file is looked up, an edited one prepared
again, and a glossary edit re-matches without re-preparing. Through the CLI and the REAL
engine (random-weight packages)."""

import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.run import preparer as prepared_cache
from workbench.run import workers as prepare_workers
from workbench.text.reader import ArticleFile

ARTICLES = {
    "a": "Generalsekretär To Lam besuchte heute Hanoi. Der Kanzler war zufrieden.\n",
    "b": "Die Regierung hat heute den neuen Haushalt vorgestellt.\nQuelle: https://x.de/1\n",
    "c": "Der Minister sprach über die Wirtschaft. Die Zahlen sind gut.\n",
}


def run(tmp_path, models, monkeypatch, *extra):
    calls = []
    real = prepare_workers.prepare_text

    def counting(file, text, languages):
        calls.append(file.article)
        return real(file, text, languages)

    monkeypatch.setattr(prepare_workers, "prepare_text", counting)
    result = CliRunner().invoke(cli, [
        "translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--silent",
        "--models-dir", str(models), "--cache", str(tmp_path / "c.db"), *extra])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    records = (tmp_path / "out" / "records.jsonl").read_text()
    return sorted(calls), manifest, records


def write_articles(tmp_path):
    (tmp_path / "in").mkdir()
    for name, text in ARTICLES.items():
        (tmp_path / "in" / f"{name}.txt").write_text(text, encoding="utf-8")


def test_only_edited_files_are_prepared_again(tmp_path, installed_models, monkeypatch):
    write_articles(tmp_path)
    glossary = ("--glossary", str(Path(__file__).resolve().parent.parent / "glossary"))
    calls, manifest, first = run(tmp_path, installed_models, monkeypatch, *glossary)
    assert calls == ["a", "b", "c"] and manifest["prepared_from_cache"] == 0
    calls, manifest, again = run(tmp_path, installed_models, monkeypatch, *glossary)
    assert calls == [] and manifest["prepared_from_cache"] == 3
    assert manifest["glossary_matched"] == 0
    # the cached preparation gives the same records (now from the translation cache)
    assert again == first.replace('"status":"translated"', '"status":"cached"')
    (tmp_path / "in" / "b.txt").write_text(ARTICLES["b"] + "Ein neuer Satz kam hinzu.\n",
                                           encoding="utf-8")
    calls, manifest, _ = run(tmp_path, installed_models, monkeypatch, *glossary)
    assert calls == ["b"] and manifest["prepared_from_cache"] == 2
    assert manifest["glossary_matched"] == 1


def test_a_glossary_change_rematches_without_preparing(tmp_path, installed_models,
                                                      monkeypatch):
    write_articles(tmp_path)
    folder = tmp_path / "glossary"
    folder.mkdir()
    people = folder / "people.toml"
    people.write_text('[[term]]\ntarget = "Tô Lâm"\ntype = "person"\nlatin = ["To Lam"]\n')
    calls, manifest, first = run(tmp_path, installed_models, monkeypatch, "--glossary",
                                 str(folder))
    assert '"target":"Tô Lâm"' in first
    people.write_text(people.read_text() + '\n[[term]]\ntarget = "Hà Nội"\ntype = "place"\n'
                      'latin = ["Hanoi"]\n')
    calls, manifest, records = run(tmp_path, installed_models, monkeypatch, "--glossary",
                                   str(folder))
    assert calls == [] and manifest["prepared_from_cache"] == 3
    assert manifest["glossary_matched"] == 3
    assert '"target":"Hà Nội"' in records


def test_the_same_text_under_another_name_is_reused_with_its_own_id(tmp_path,
                                                                   installed_models,
                                                                   monkeypatch):
    write_articles(tmp_path)
    run(tmp_path, installed_models, monkeypatch, "--no-glossary")
    (tmp_path / "in" / "copy-of-c.txt").write_text(ARTICLES["c"], encoding="utf-8")
    calls, manifest, records = run(tmp_path, installed_models, monkeypatch, "--no-glossary")
    assert calls == [] and manifest["prepared_from_cache"] == 4
    ids = {json.loads(line)["article"] for line in records.splitlines()}
    assert ids == {"a", "b", "c", "copy-of-c"}


def test_other_languages_or_code_prepare_again(tmp_path):
    from workbench.cache.store import TranslationCache
    from workbench.glossary.store import Glossary

    write_articles(tmp_path)
    file = ArticleFile("a", tmp_path / "in" / "a.txt")
    with TranslationCache(tmp_path / "c.db") as cache:
        def preparer(languages):
            return prepared_cache.Preparer(cache, languages, Glossary(), lambda s: (),
                                           lambda s: True)

        first = preparer(("de", "en"))
        first.prepare(file)
        first.flush()
        same = preparer(("de", "en"))
        same.prepare(file)
        assert same.reused == 1
        other = preparer(("de", "en", "nl"))
        other.prepare(file)
        assert other.reused == 0
        changed = preparer(("de", "en"))
        changed._code = "a different version of workbench/text"
        changed.prepare(file)
        assert changed.reused == 0


def test_a_rerun_with_nothing_changed_renders_nothing(tmp_path, installed_models, monkeypatch):
    write_articles(tmp_path)
    run(tmp_path, installed_models, monkeypatch, "--no-glossary")
    run(tmp_path, installed_models, monkeypatch, "--no-glossary")  # translated -> cached
    out = tmp_path / "out"
    derived = [out / "review.html", out / "review" / "00001.html", out / "records.tmx",
               out / "records.xlf"]
    stamps = [p.stat().st_mtime_ns for p in derived]
    run(tmp_path, installed_models, monkeypatch, "--no-glossary")
    assert [p.stat().st_mtime_ns for p in derived] == stamps  # same records: not rewritten
    (tmp_path / "in" / "c.txt").write_text(ARTICLES["c"] + "Noch ein Satz.\n", encoding="utf-8")
    _, manifest, _ = run(tmp_path, installed_models, monkeypatch, "--no-glossary")
    assert all(p.stat().st_mtime_ns != s for p, s in zip(derived, stamps, strict=True))
    assert manifest["derived"] == ["html", "tmx", "xliff"]
    assert "Noch ein Satz." in (out / "records.xlf").read_text("utf-8")
