"""The pipeline with a TEST-DOUBLE engine (FakeEngine): batching, caching, statuses, alignment.
End-to-end runs through the real CTranslate2 engine are in test_cli.py."""

import json

from click.testing import CliRunner
from fakes import FakeEngines

from workbench.cli import cli
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

NB = ("Regjeringen la fram budsjettet i dag. Statsministeren sa at det var et godt budsjett. "
      "Opposisjonen var uenig.\nKommentar (0)\n")
DE = "Die Regierung hat heute den Haushalt vorgestellt. Der Kanzler war zufrieden.\n"


def write(tmp_path, files):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(tmp_path, folder, engines, out="out"):
    settings = Settings(models_dir=tmp_path / "models", cache_path=tmp_path / "cache.db",
                        glossary_paths=())
    result = translate_inputs([folder], tmp_path / out, settings, engines)
    records = [json.loads(line) for line in
               (tmp_path / out / "records.jsonl").read_text("utf-8").splitlines()]
    return result.stats, records


def test_records_are_aligned_and_labelled(tmp_path):
    folder = write(tmp_path, {"a.txt": NB, "b.txt": DE})
    engines = FakeEngines(["nb", "de"])
    stats, records = run(tmp_path, folder, engines)
    assert [(r["article"], r["index"], r["kind"], r["status"]) for r in records] == [
        ("a", 0, "body", "translated"), ("a", 1, "body", "translated"),
        ("a", 2, "body", "translated"), ("a", 3, "boilerplate", "kept"),
        ("b", 0, "body", "translated"), ("b", 1, "body", "translated")]
    assert records[0]["src"] == "Regjeringen la fram budsjettet i dag."
    assert records[0]["tgt"] == "en:dag. i budsjettet fram la Regjeringen"
    assert records[3]["tgt"] is None
    assert stats.complete and stats.segments == 6


def test_second_run_sends_nothing(tmp_path):
    folder = write(tmp_path, {"a.txt": NB, "b.txt": DE})
    run(tmp_path, folder, FakeEngines(["nb", "de"]))
    again = FakeEngines(["nb", "de"])
    _, records = run(tmp_path, folder, again, out="out2")
    assert again.segments_sent == 0
    assert {r["status"] for r in records if r["kind"] == "body"} == {"cached"}


def test_edit_retranslates_only_the_changed_sentence(tmp_path):
    folder = write(tmp_path, {"a.txt": NB})
    run(tmp_path, folder, FakeEngines(["nb"]))
    write(tmp_path, {"a.txt": NB.replace("Opposisjonen var uenig.", "Opposisjonen var enig.")})
    again = FakeEngines(["nb"])
    _, records = run(tmp_path, folder, again, out="out2")
    assert again.engines["nb"].calls == [["Opposisjonen var enig."]]
    assert [r["status"] for r in records] == ["cached", "cached", "translated", "kept"]


def test_identical_sentences_are_translated_once(tmp_path):
    folder = write(tmp_path, {"a.txt": "Hallo Welt, wie geht es dir heute?\n" * 3,
                              "b.txt": "Hallo Welt, wie geht es dir heute?\n"})
    engines = FakeEngines(["de"])
    _, records = run(tmp_path, folder, engines)
    assert engines.engines["de"].calls == [["Hallo Welt, wie geht es dir heute?"]]
    assert [r["status"] for r in records] == ["translated"] * 4


def test_batches_are_sorted_by_length_and_bounded(tmp_path):
    words = ["die", "Regierung", "hat", "heute", "in", "der", "Hauptstadt", "den", "neuen",
             "Haushalt", "für", "das", "kommende", "Jahr", "vorgestellt", "und", "dabei",
             "betont", "dass", "die", "Ausgaben", "für", "Bildung", "und", "Gesundheit",
             "deutlich", "steigen", "sollen"]
    sentences = ["Heute " + " ".join(words[:n]) + "." for n in (30, 2, 15, 8, 25)]
    folder = write(tmp_path, {"a.txt": "\n".join(sentences) + "\n"})
    engines = FakeEngines(["de"])
    run(tmp_path, folder, engines)
    calls = engines.engines["de"].calls
    flat = [t for call in calls for t in call]
    assert flat == sorted(sentences, key=len)
    assert all(sum(len(t.split()) for t in call) <= 64 for call in calls if len(call) > 1)


def test_missing_model_gives_no_model_records(tmp_path):
    folder = write(tmp_path, {"a.txt": NB, "b.txt": DE})
    stats, records = run(tmp_path, folder, FakeEngines(["de"]))
    assert [r["status"] for r in records if r["article"] == "a"] == [
        "no-model", "no-model", "no-model", "kept"]
    assert all(r["tgt"] is None for r in records if r["article"] == "a")
    assert stats.missing_pairs == {("nb", "en")}
    assert not stats.complete


def test_cached_translations_are_used_when_the_model_is_gone(tmp_path):
    folder = write(tmp_path, {"a.txt": NB})
    run(tmp_path, folder, FakeEngines(["nb"]))
    stats, records = run(tmp_path, folder, FakeEngines([]), out="out2")
    assert [r["status"] for r in records] == ["cached", "cached", "cached", "kept"]
    assert stats.complete and not stats.missing_pairs


def test_engine_failure_fails_its_batch_only(tmp_path):
    folder = write(tmp_path, {"a.txt": NB, "b.txt": DE})
    stats, records = run(tmp_path, folder, FakeEngines(["nb", "de"], fail_on="Kanzler"))
    statuses = {(r["article"], r["index"]): r["status"] for r in records}
    assert statuses[("a", 0)] == "translated"
    assert statuses[("b", 1)] == "failed"
    assert not stats.complete
    assert stats.errors == ["de→en: engine failed on 2 segments "
                            "(fake engine told to fail on 'Kanzler')"]


def test_unreadable_file_does_not_stop_the_others(tmp_path):
    folder = write(tmp_path, {"a.txt": NB})
    (folder / "bad.txt").write_bytes(b"Gr\xfc\xdfe aus K\xf6ln\n")
    stats, records = run(tmp_path, folder, FakeEngines(["nb"]))
    assert {r["article"] for r in records} == {"a"}
    assert stats.errors == [f"{folder / 'bad.txt'}: not valid UTF-8 (byte 0xfc at offset 2)"]
    articles = [json.loads(line) for line in
                (tmp_path / "out" / "articles.jsonl").read_text().splitlines()]
    assert [(a["article"], a["error"]) for a in articles] == [
        ("a", None), ("bad", "not valid UTF-8 (byte 0xfc at offset 2)")]
    assert not stats.complete


def test_manifest_records_signatures(tmp_path):
    folder = write(tmp_path, {"a.txt": NB})
    run(tmp_path, folder, FakeEngines(["nb"]))
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    assert manifest["engines"] == {"nb-en": "engine:fake|nb-en|v:1"}
    assert manifest["complete"] is True
    assert manifest["statuses"] == {"kept": 1, "translated": 3}


def test_models_are_counted_once_however_many_chunks(tmp_path, seeds_dir, installed_models,
                                                      monkeypatch):
    from workbench.run import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_SEGMENTS", 20)  # the seeds now take many chunks
    result = CliRunner().invoke(cli, [
        "translate", str(seeds_dir), "-o", str(tmp_path / "out"), "--silent", "--models-dir",
        str(installed_models), "--cache", str(tmp_path / "c.db"), "--no-glossary"])
    assert result.exit_code == 0, result.output
    assert "Models loaded: 5." in result.output


def test_a_guess_into_a_language_without_a_model_keeps_the_articles(tmp_path,
                                                                   installed_models):
    folder = tmp_path / "in"
    folder.mkdir()
    dutch = ("De regering heeft vandaag in Den Haag een nieuwe begroting gepresenteerd en de "
             "minister-president was daar zeer tevreden over.")
    (folder / "a.txt").write_text(
        "Die Regierung hat heute in Berlin den neuen Haushalt für das kommende Jahr "
        "vorgestellt. Der Bundeskanzler sprach von einem guten Tag für das ganze Land. Die "
        "Opposition kritisierte die Pläne scharf und kündigte Widerstand im Bundestag an. "
        + dutch + "\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, [
        "translate", str(folder), "-o", str(tmp_path / "out"), "--silent", "--models-dir",
        str(installed_models), "--cache", str(tmp_path / "c.db"), "--no-glossary"])
    assert result.exit_code == 0, result.output  # not "incomplete: missing nl model"
    records = [json.loads(line) for line in (tmp_path / "out" / "records.jsonl").open()]
    [guessed] = [r for r in records if r["src"] == dutch]
    assert guessed["src_lang"] == "de" and "lang-guess:nl" in guessed["flags"]
    assert guessed["status"] == "translated"
