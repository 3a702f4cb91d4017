"""Every model family, installed and run end to end: OPUS-MT, NLLB-200, M2M100, MADLAD-400.

The models have RANDOM WEIGHTS in each family's real format (tests/model_families.py): the
OPUS-MT release is converted by CTranslate2's own OpusMTConverter. Their English is
meaningless, so these tests check structure, language tokens, the glossary guarantee,
caching and scores, never wording.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_LANGUAGES, seed_lines
from model_families import (
    build_ct2_seq2seq,
    build_madlad,
    build_opus_mt,
)

from workbench.cli import cli
from workbench.engines.lookup import Engines, engine_for
from workbench.glossary.enforce import occurrences
from workbench.models.catalog import installed_models
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen"
GERMAN = next(stem for stem, lang in SEED_LANGUAGES.items() if lang == "de")
FAMILY_SOURCES = {"opus-mt": "opus-mt-de-en.zip", "nllb": "nllb-200-random",
                  "m2m100": "m2m100-random", "madlad": "madlad400-random"}


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="session")
def family_sources(tmp_path_factory, seeds_dir) -> dict[str, Path]:
    """RANDOM-WEIGHT models of each family, as a user would have them on disk."""
    out = tmp_path_factory.mktemp("families")
    corpus = seed_lines(GERMAN)
    return {
        "opus-mt": build_opus_mt(out, "opus-mt-de-en", corpus, seed=1),
        "nllb": build_ct2_seq2seq(out, "nllb", corpus, seed=2),
        "m2m100": build_ct2_seq2seq(out, "m2m100", corpus, seed=3),
        "madlad": build_madlad(out, corpus, seed=4),
    }


@pytest.fixture(scope="session")
def family_models(tmp_path_factory, family_sources) -> dict[str, Path]:
    """One models directory per family, each installed through the CLI."""
    dirs = {}
    for family, source in family_sources.items():
        models = tmp_path_factory.mktemp(f"models-{family}")
        extra = [] if family == "opus-mt" else ["--family", family]
        result = invoke("models", "install", source, *extra, "--models-dir", models)
        assert result.exit_code == 0, result.output
        dirs[family] = models
    return dirs


def only_model(models: Path):
    (model,) = installed_models(models)
    return model


@pytest.mark.parametrize(("family", "pairs", "licence"), [
    ("opus-mt", "de→en", "CC-BY-4.0"),
    ("nllb", "da de fr nb no pl ru sv→en", "CC-BY-NC-4.0 (non-commercial use only)"),
    ("m2m100", "da de fr nb nn no pl ru sv→en", "MIT"),
    ("madlad", "any→en", "Apache-2.0"),
])
def test_models_list_shows_family_pairs_size_and_licence(family_models, family, pairs, licence):
    result = invoke("models", "list", "--models-dir", family_models[family])
    assert result.exit_code == 0, result.output
    name, kind, shown_pairs, size, shown_licence, path = result.stdout.rstrip("\n").split("\t")
    assert (kind, shown_pairs, shown_licence) == (family, pairs, licence)
    assert size.endswith(" MB") and float(size.split()[0]) > 0
    listed = json.loads(invoke("models", "list", "--json", "--models-dir",
                               family_models[family]).stdout)
    assert [(m["model"], m["family"], m["licence"]) for m in listed] == [(name, family, licence)]
    assert listed[0]["size"] == sum(p.stat().st_size for p in Path(path).rglob("*")
                                    if p.is_file())


def test_opus_mt_is_converted_by_ctranslate2_with_its_tokenizers(family_models):
    model = only_model(family_models["opus-mt"])
    assert model.name == "opus-mt-de-en" and model.sources == ("de",)
    files = sorted(p.name for p in model.path.iterdir())
    assert files == ["LICENSE", "README.md", "model", "source.spm", "target.spm",
                     "workbench-model.json"]
    config = json.loads((model.model_dir / "config.json").read_text())
    assert config["add_source_eos"] is True  # set by OpusMTConverter
    engine = engine_for(model, "de", "en", Settings(models_dir=family_models["opus-mt"],
                                                    threads=1))
    assert engine.lead_tokens() == [] and engine.trail_tokens() == []


def test_multilingual_target_opus_mt_gets_its_eng_token(tmp_path, seeds_dir):
    release = build_opus_mt(tmp_path, "opus-mt-gmq-gmq", seed_lines(GERMAN)[:20],
                            source_languages=("dan", "nob", "swe"),
                            target_tokens=(">>dan<<", ">>eng<<", ">>swe<<"), as_zip=False)
    models = tmp_path / "models"
    result = invoke("models", "install", release, "--models-dir", models)
    assert result.exit_code == 0, result.output
    model = only_model(models)
    assert model.sources == ("da", "nb", "sv") and model.manifest["target_token"] == ">>eng<<"
    engine = engine_for(model, "nb", "en", Settings(models_dir=models, threads=1))
    assert engine._encode(["Hei"])[0][0] == ">>eng<<"
    (out,) = engine.translate_batch(["Hei verden"])
    assert ">>" not in out.text


def test_multilingual_target_without_english_is_refused(tmp_path, seeds_dir):
    release = build_opus_mt(tmp_path, "opus-mt-de-gmq", seed_lines(GERMAN)[:20],
                            target_tokens=(">>dan<<", ">>swe<<"))
    models = tmp_path / "models"
    result = invoke("models", "install", release, "--models-dir", models)
    assert result.exit_code == 1
    assert result.output == (f"Error: {release}: a multilingual-target model without a "
                             ">>en<< token: it cannot write en\n")
    assert [p.name for p in models.iterdir()] == []


@pytest.mark.parametrize(("leave_out", "missing"), [
    (["source.spm"], "source.spm"),
    (["opus.spm32k-spm32k.vocab.yml", "target.spm"], "opus.spm32k-spm32k.vocab.yml, target.spm"),
    (["opus.spm32k-spm32k.transformer.model1.npz.best-perplexity.npz"],
     "opus.spm32k-spm32k.transformer.model1.npz.best-perplexity.npz"),
])
def test_incomplete_opus_mt_release_is_refused_in_one_line(tmp_path, seeds_dir, leave_out,
                                                           missing):
    release = build_opus_mt(tmp_path, "opus-mt-de-en", seed_lines(GERMAN)[:20],
                            leave_out=leave_out)
    models = tmp_path / "models"
    result = invoke("models", "install", release, "--models-dir", models)
    assert result.exit_code == 1
    assert result.output == f"Error: {release}: incomplete OPUS-MT release: missing {missing}\n"
    assert list(models.iterdir()) == []


def test_damaged_opus_mt_weights_leave_nothing_installed(tmp_path, seeds_dir):
    release = build_opus_mt(tmp_path, "opus-mt-de-en", seed_lines(GERMAN)[:20], as_zip=False)
    npz = next(release.glob("*.npz"))
    npz.write_bytes(npz.read_bytes()[: 4096])
    models = tmp_path / "models"
    result = invoke("models", "install", release, "--models-dir", models)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {release}: CTranslate2 cannot convert it (")
    assert result.output.count("\n") == 1 and list(models.iterdir()) == []


@pytest.mark.parametrize(("family", "leave_out", "missing"), [
    ("nllb", ["sentencepiece.bpe.model"],
     "the SentencePiece model (sentencepiece.bpe.model or spiece.model; convert with "
     "--copy_files)"),
    ("m2m100", ["model.bin", "shared_vocabulary.json"], "model.bin, shared_vocabulary.json"),
])
def test_incomplete_ct2_folder_is_refused_in_one_line(tmp_path, seeds_dir, family, leave_out,
                                                      missing):
    folder = build_ct2_seq2seq(tmp_path, family, seed_lines(GERMAN)[:20], leave_out=leave_out)
    models = tmp_path / "models"
    result = invoke("models", "install", folder, "--family", family, "--models-dir", models)
    assert result.exit_code == 1
    title = {"nllb": "NLLB-200", "m2m100": "M2M100"}[family]
    assert result.output == f"Error: {folder}: incomplete {title} folder: missing {missing}\n"
    assert not models.exists() or list(models.iterdir()) == []


def test_ct2_folder_needs_its_family_named(family_sources, tmp_path):
    models = tmp_path / "models"
    result = invoke("models", "install", family_sources["nllb"], "--models-dir", models)
    assert result.output == (f"Error: {family_sources['nllb']}: a CTranslate2 folder: name "
                             "its family with --family nllb\n")
    wrong = invoke("models", "install", family_sources["nllb"], "--family", "m2m100",
                   "--models-dir", models)
    assert wrong.output == (f"Error: {family_sources['nllb']}: no __en__ token in its "
                            "vocabulary: not a M2M100 model into en; is it --family nllb?\n")
    assert not models.exists() or list(models.iterdir()) == []


@pytest.mark.parametrize(("family", "source_token", "prefix"), [
    ("nllb", "deu_Latn", "eng_Latn"), ("m2m100", "__de__", "__en__")])
def test_language_tokens_and_prefix_removed(family_models, family, source_token, prefix):
    models = family_models[family]
    engine = engine_for(only_model(models), "de", "en", Settings(models_dir=models, threads=1))
    source = engine._encode(["Die Nationalversammlung tagt."])[0]
    assert source[0] == source_token and source[-1] == "</s>"
    raw = engine.translator().translate_batch([source], target_prefix=[[prefix]], beam_size=2)
    assert raw[0].hypotheses[0][0] == prefix
    (out,) = engine.translate_batch(["Die Nationalversammlung tagt."])
    assert prefix not in out.text and not out.text.startswith("_")
    assert out.score is not None and out.score < 0
    nb = engine_for(only_model(models), "nb", "en", Settings(models_dir=models, threads=1))
    assert nb.lead_tokens() == [{"nllb": "nob_Latn", "m2m100": "__no__"}[family]]


def test_madlad_tag_goes_inside_the_source_text(family_models):
    models = family_models["madlad"]
    model = only_model(models)
    engine = engine_for(model, "pl", "en", Settings(models_dir=models, threads=1))
    text = "Zgromadzenie Narodowe obraduje."
    assert engine._encode([text])[0] == [*engine.codec.encode(f"<2en> {text}"), "</s>"]
    assert "<2en>" in engine.lead_tokens()
    (out,) = engine.translate_batch([text])
    assert "<2en>" not in out.text


@pytest.mark.parametrize("family", list(FAMILY_SOURCES))
def test_translate_end_to_end_keeps_the_glossary_guarantee(tmp_path, family_models, family):
    out = tmp_path / "out"
    result = invoke("translate", UNSEEN / "de_assembly.txt", "-o", out, "--models-dir",
                    family_models[family], "--cache", tmp_path / "c.db", "--glossary",
                    ROOT / "glossary", "--format", "tmx")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    expected = 0
    for record in records:
        needed = Counter(h["target"] for h in record["glossary"])
        spans = occurrences(record["tgt"] or "", needed)
        for target, n in needed.items():
            expected += n
            assert len(spans[target]) == n, (target, record["tgt"])  # present, never doubled
        assert all(h["found"] for h in record["glossary"])
    assert expected >= 10
    signature = json.loads((out / "run.json").read_text())["engines"]["de-en"]
    assert signature.startswith(f"{family}:{only_model(family_models[family]).name}#")


def test_cache_signature_names_the_model_switching_back_is_free(tmp_path, family_models):
    models = tmp_path / "models"
    for family in ("opus-mt", "nllb"):
        for child in family_models[family].iterdir():
            _copy(child, models / child.name)
    settings = Settings(models_dir=models, cache_path=tmp_path / "c.db", threads=1)
    article = UNSEEN / "de_assembly.txt"

    def run(choice: str | None, name: str):
        engines = Engines(settings, choices={"de": choice} if choice else {})
        result = translate_inputs([article], tmp_path / name, settings, engines)
        signature = result.stats.signatures["de-en"]
        return signature, result.stats.models_loaded

    default, loaded = run(None, "a")
    assert default.startswith("opus-mt:opus-mt-de-en#") and loaded == 1
    nllb, loaded = run("nllb", "b")
    assert nllb.startswith("nllb:nllb-200-random#") and loaded == 1  # re-translated
    back, loaded = run("opus-mt-de-en", "c")
    assert back == default and loaded == 0  # all cached: no model was even loaded
    again, loaded = run("nllb-200-random", "d")
    assert again == nllb and loaded == 0


def _copy(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)


def test_a_choice_that_cannot_translate_the_pair_is_named(family_models):
    settings = Settings(models_dir=family_models["opus-mt"], threads=1)
    engines = Engines(settings, choices={"de": "nllb", "ru": "opus-mt-de-en"})
    with pytest.raises(Exception, match="model 'nllb' is not installed for de→en; installed "
                                        "for de→en: opus-mt-de-en"):
        engines.check("en")
    assert engines("ru", "en") is None
    assert engines.problems == ["model 'opus-mt-de-en' cannot translate ru→en; installed "
                                "for ru→en: none"]


def test_remove_by_name(tmp_path, family_sources):
    models = tmp_path / "models"
    assert invoke("models", "install", family_sources["madlad"], "--family", "madlad",
                  "--name", "madlad-test", "--models-dir", models).exit_code == 0
    result = invoke("models", "remove", "madlad-test", "--models-dir", models)
    assert result.exit_code == 0 and result.output == (
        f"Removed madlad-test ({models / 'madlad-test'})\n")
    assert list(models.iterdir()) == []


def test_evaluate_chrf_equals_sacrebleu_by_hand(tmp_path, family_models):
    from sacrebleu.metrics import BLEU, CHRF

    models = tmp_path / "models"
    for family in ("opus-mt", "m2m100"):
        for child in family_models[family].iterdir():
            _copy(child, models / child.name)
    lines = [line for line in (UNSEEN / "de_assembly.txt").read_text().splitlines()
             if line.strip()][:8]
    src, ref = tmp_path / "src.de", tmp_path / "ref.en"
    src.write_text("\n".join(lines) + "\n")
    references = [f"The assembly, line {i}." for i in range(len(lines))]
    ref.write_text("\n".join(references) + "\n")
    result = invoke("models", "evaluate", src, ref, "--lang", "de", "--json",
                    "--models-dir", models)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["segments"] == len(lines)
    assert sorted(r["model"] for r in report["results"]) == ["m2m100-random", "opus-mt-de-en"]
    chrfs = [r["chrf"] for r in report["results"]]
    assert chrfs == sorted(chrfs, reverse=True)
    for row in report["results"]:
        assert row["chrf_signature"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:0")
        assert row["bleu_signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a")
        assert row["segments_per_second"] > 0 and row["size"] > 0 and row["failed"] == 0
    # By hand: the same engine's output, scored by sacrebleu directly.
    from workbench.engines.evaluate import translate_all

    settings = Settings(models_dir=models, threads=1)
    for model in installed_models(models):
        outputs, _ = translate_all(engine_for(model, "de", "en", settings), lines)
        row = next(r for r in report["results"] if r["model"] == model.name)
        assert row["chrf"] == round(CHRF().corpus_score(outputs, [references]).score, 2)
        assert row["bleu"] == round(BLEU().corpus_score(outputs, [references]).score, 2)
    table = invoke("models", "evaluate", src, ref, "--lang", "de", "--models-dir", models)
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split() == ["model", "family", "chrF", "BLEU", "seg/s",
                                                    "size"]
    assert table.stdout.splitlines()[-2].startswith("chrF: nrefs:1|case:mixed|eff:yes")


def test_evaluate_refuses_sets_of_different_lengths(tmp_path, family_models):
    src, ref = tmp_path / "src.de", tmp_path / "ref.en"
    src.write_text("a\nb\n")
    ref.write_text("a\n")
    result = invoke("models", "evaluate", src, ref, "--lang", "de", "--models-dir",
                    family_models["opus-mt"])
    assert result.exit_code == 1
    assert result.output == (f"Error: {ref}: 1 lines, but {src} has 2; a reference set is "
                             "line for line\n")


def test_opus_mt_zip_members_are_checked(tmp_path):
    archive = tmp_path / "opus-mt-de-en.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("decoder.yml", "models: [m.npz]\nvocabs: [v.yml, v.yml]\n")
        zf.writestr("../evil.spm", "x")
    models = tmp_path / "models"
    result = invoke("models", "install", archive, "--models-dir", models)
    assert result.exit_code == 1
    assert result.output == f"Error: {archive}: unsafe path in archive: '../evil.spm'\n"


def test_evaluate_on_100_sentences_matches_sacrebleu(tmp_path, family_models):
    """100 German sentences of the repository's own (the seeds and tests/data/unseen, cycled);
    the English references are the glossary's targets, cycled: chrF here measures nothing
    about quality, only that `models evaluate` scores exactly as sacrebleu does."""
    from sacrebleu.metrics import CHRF

    from workbench.engines.evaluate import translate_all

    german = [line for stem, lang in SEED_LANGUAGES.items() if lang == "de"
              for line in seed_lines(stem) if len(line.split()) >= 4]
    german += [line for path in sorted(UNSEEN.glob("de_*")) for line in
               path.read_text("utf-8").splitlines() if len(line.split()) >= 4]
    english = [line.split('"')[1] for path in sorted((ROOT / "glossary").glob("*.toml"))
               for line in path.read_text("utf-8").splitlines()
               if line.startswith("target = \"")]
    assert len(german) >= 20 and len(english) >= 20
    sources = [german[i % len(german)] for i in range(100)]
    references = [" ".join(english[i % len(english):][:3]) for i in range(100)]
    src, ref = tmp_path / "src.de", tmp_path / "ref.en"
    src.write_text("\n".join(sources) + "\n", "utf-8")
    ref.write_text("\n".join(references) + "\n", "utf-8")
    models = family_models["opus-mt"]
    result = invoke("models", "evaluate", src, ref, "--lang", "de", "--json", "--models-dir",
                    models)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["results"]
    outputs, failed = translate_all(engine_for(only_model(models), "de", "en",
                                               Settings(models_dir=models, threads=1)), sources)
    assert failed == 0 and len(outputs) == 100
    assert row["chrf"] == round(CHRF().corpus_score(outputs, [references]).score, 2)


@pytest.mark.parametrize("name", ["config.json", "shared_vocabulary.json"])
def test_a_huge_number_in_a_ct2_folder_is_one_line(tmp_path, family_sources, name):
    """The one JSON reader everywhere: a 4,301-digit number is a line, not a traceback."""
    folder = tmp_path / "nllb"
    shutil.copytree(family_sources["nllb"], folder)
    path = folder / name
    if not path.exists():
        pytest.fail(f"the NLLB fixture has no {name}")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[", "[" + "9" * 4_301 + ", ", 1) if text.startswith("[")
                    else text.replace("{", '{"x": ' + "9" * 4_301 + ", ", 1), encoding="utf-8")
    result = invoke("models", "install", folder, "--family", "nllb", "--models-dir",
                    tmp_path / "models")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"Error: {path}: ")
    assert "4,300 digits" in result.output
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())
