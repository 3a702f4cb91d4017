"""Guaranteed glossary terms: re-decoding from a forced prefix.

The unit tests use a SCRIPTED TEST DOUBLE (it returns fixed English, it translates nothing);
the end-to-end tests run the real CTranslate2 engine: the trained ar→en model for exact
output, and the RANDOM-WEIGHT models over articles written for these tests.
"""

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from workbench.engines.argos import ArgosEngine
from workbench.engines.base import Engine, Translation
from workbench.glossary.enforce import occurrences, protect
from workbench.glossary.match import Matcher
from workbench.glossary.prefix import enforce_batch
from workbench.glossary.store import Glossary, parse_glossary
from workbench.models.packages import install_archive
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen"
TERMS = parse_glossary('''
[[term]]
target = "Tô Lâm"
type = "person"
de = ["To Lam"]

[[term]]
target = "General Secretary"
type = "title"
de = ["Generalsekretär"]
''', Path("g.toml"))
TERMS_GLOSSARY = Glossary(tuple(TERMS), "v")


class ScriptedEngine(Engine):
    """TEST DOUBLE: not a translator. Returns ``prefix + continuation`` for forced prefixes."""

    src, tgt = "de", "en"

    def __init__(self, continuation: str = "", supports_prefix: bool = True,
                 problem: str | None = None, fail: bool = False) -> None:
        self.continuation = continuation
        self.supports_prefix = supports_prefix
        self.problem = problem
        self.fail = fail
        self.prefixes: list[str | None] = []

    def translate_batch(self, texts: Sequence[str], n_best: int = 1, alignment: bool = False,
                        prefixes: Sequence[str | None] | None = None) -> list[Translation]:
        if self.fail:
            raise RuntimeError("out of memory")
        self.prefixes += list(prefixes or [])
        return [Translation(f"{p} {self.continuation}".strip(), -1.0) for p in prefixes or []]

    def prefix_problem(self, prefix: str) -> str | None:
        return self.problem

    def signature(self) -> str:
        return "scripted"


def enforce(sentence: str, first_pass: Translation, engine: Engine):
    protected = protect(sentence, Matcher(TERMS_GLOSSARY, "de").find(sentence))
    return enforce_batch(engine, [protected], [first_pass])


def test_missing_term_is_forced_where_attention_puts_it():
    engine = ScriptedEngine("visited Hanoi.")
    # Source words: Generalsekretär(0) 7301(1) besuchte(2) Hanoi.(3); "Lam" attends to 1.
    result = enforce("Generalsekretär To Lam besuchte Hanoi.",
                     Translation("The secretary Lam visited Hanoi.", -2.0, (), (0, 0, 1, 2, 3)),
                     engine)
    assert engine.prefixes == ["General Secretary 7301"]
    text, hits = result.outputs[0]
    assert text == "General Secretary Tô Lâm visited Hanoi."
    assert [(h.target, h.found, h.enforced) for h in hits] == [
        ("General Secretary", True, "prefix"), ("Tô Lâm", True, "prefix")]
    assert result.redecoded == 1


def test_a_name_twice_is_there_twice_and_a_term_never_doubled():
    engine = ScriptedEngine("met. General Secretary 7301 7302 General Secretary")
    sentence = "Generalsekretär To Lam traf To Lam."
    result = enforce(sentence, Translation("Secretary 7301 met.", -2.0), engine)
    text, hits = result.outputs[0]
    assert [h.found for h in hits] == [True, True, True]
    counts = occurrences(text, ["General Secretary", "Tô Lâm"])
    assert len(counts["General Secretary"]) == 1 and len(counts["Tô Lâm"]) == 2
    assert "730" not in text


@pytest.mark.parametrize(("engine", "cause"), [
    (ScriptedEngine(supports_prefix=False), "the engine cannot decode from a forced prefix"),
    (ScriptedEngine(problem="the forced prefix reaches the decoding length limit"),
     "the forced prefix reaches the decoding length limit"),
    (ScriptedEngine(fail=True), "re-decoding failed (out of memory)"),
])
def test_a_term_that_cannot_be_placed_says_why(engine, cause):
    result = enforce("Generalsekretär To Lam besuchte Hanoi.",
                     Translation("Lam went there.", -2.0), engine)
    text, hits = result.outputs[0]
    assert [(h.found, h.enforced, h.cause) for h in hits] == [(False, "missed", cause)] * 2
    assert "7301" not in text


def test_segments_that_keep_their_terms_are_not_decoded_again():
    engine = ScriptedEngine("x")
    result = enforce("Generalsekretär To Lam besuchte Hanoi.",
                     Translation("General Secretary 7301 visited Hanoi.", -0.3), engine)
    assert engine.prefixes == [] and result.redecoded == 0
    assert [h.enforced for h in result.outputs[0][1]] == ["model", "placeholder"]


def test_real_model_continues_from_a_forced_prefix(aren_archive, tmp_path):
    package = install_archive(aren_archive, tmp_path / "models")
    engine = ArgosEngine(package, Settings(models_dir=tmp_path / "models", threads=1))
    free, forced = engine.translate_batch(["آتزمون", "آتزمون"], prefixes=[None, "atz"])
    assert free.text == forced.text == "atzmon"
    (other,) = engine.translate_batch(["آتزمون"], prefixes=["etz"])
    assert other.text.startswith("etz") and len(other.text) > 3
    assert engine.prefix_problem("a" * 400) == "the forced prefix reaches the decoding length limit"


def test_every_expected_term_reaches_the_english_on_unseen_articles(tmp_path, installed_models):
    """RANDOM-WEIGHT models: the model never writes a term itself, so every one is forced."""
    from click.testing import CliRunner

    from workbench.cli import cli

    assert sorted(p.name for p in UNSEEN.glob("*.txt")) == [
        "de_assembly.txt", "nb_front.txt", "pl_plenum.txt", "ru_visit.txt", "sv_resolution.txt"]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["translate", str(UNSEEN), "-o", str(out), "--models-dir",
                                      str(installed_models), "--cache", str(tmp_path / "c.db"),
                                      "--glossary", str(ROOT / "glossary")])
    assert result.exit_code == 0, result.output
    expected = found = 0
    how: Counter[str] = Counter()
    for line in (out / "records.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        needed = Counter(h["target"] for h in record["glossary"])
        spans = occurrences(record["tgt"] or "", needed)
        for target, n in needed.items():
            expected += n
            found += min(n, len(spans[target]))
            assert len(spans[target]) == n, (target, record["tgt"])  # present, never doubled
        how.update(h["enforced"] for h in record["glossary"])
    assert expected >= 55 and found == expected
    assert set(how) <= {"placeholder", "model", "n-best", "prefix", "attention"}
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["glossary"]["missed"] == 0 and manifest["glossary"]["redecoded"] > 0
