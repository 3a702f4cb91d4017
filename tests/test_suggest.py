"""``workbench glossary suggest``: recurring names and titles the glossary lacks.

Unit tests run on records written here; the end-to-end test translates the unseen articles
with the RANDOM-WEIGHT models through the real engine, then mines the run.
"""

import json
import shlex
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.glossary.store import Glossary, parse_glossary
from workbench.glossary.suggest import add_command, suggest
from workbench.records import Kind, Record, Status

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen"
GLOSSARY = Glossary(tuple(parse_glossary('''
[[term]]
target = "Tô Lâm"
type = "person"
latin = ["To Lam"]
ru = ["То Лам"]
''', Path("g.toml"))), "v")


def records(*articles: tuple[str, str, list[str]]) -> list[Record]:
    return [Record(article, i, Kind.BODY, lang, text, "en", f"EN {text}", Status.TRANSLATED)
            for article, lang, texts in articles for i, text in enumerate(texts)]


RUN = records(
    ("a1", "pl", ["Premier Pham Minh Chinh spotkał się z To Lamem.",
                  "Według Pham Minh Chinha gospodarka rośnie.",
                  "Rozmowa z Pham Minh Chinhem trwała godzinę."]),
    ("a2", "sv", ["Enligt Pham Minh Chinh växer ekonomin.",
                  "Die Reise av premiärminister Pham Minh Chinh var lång."]),
    ("a3", "ru", ["Премьер-министр Фам Минь Тинь встретился с То Ламом.",
                  "По словам Фам Минь Тиня, экономика растёт."]),
    ("a4", "de", ["Die Regierung von Pham Minh Chinh tagte. Die Regierung beschloss viel.",
                  "To Lam traf Pham Minh Chinh in Hanoi."]),
)


def test_inflected_forms_are_one_candidate_ranked_by_articles():
    found = suggest(lambda: RUN, GLOSSARY)
    top = found[0]
    assert top.source == "Pham Minh Chinh" and top.type == "person"
    assert set(top.forms) == {"Pham Minh Chinh", "Pham Minh Chinha", "Pham Minh Chinhem"}
    assert top.languages == {"pl", "sv", "de"} and len(top.articles) == 3
    assert top.occurrences == 7
    cyrillic = next(c for c in found if c.source.startswith("Фам"))
    assert set(cyrillic.forms) == {"Фам Минь Тинь", "Фам Минь Тиня"}
    assert [len(c.articles) for c in found] == sorted((len(c.articles) for c in found),
                                                      reverse=True)


def test_glossary_terms_and_ordinary_sentence_starts_are_never_proposed():
    proposed = {form for c in suggest(lambda: RUN, GLOSSARY, min_occurrences=1)
                for form in c.forms}
    assert not any("Lam" in form or "Лам" in form for form in proposed)
    # "Enligt" (according to) and "Die" (the) start sentences; they are not part of a name.
    assert not any(form.split()[0] in {"Enligt", "Die", "Według", "Rozmowa"}
                   for form in proposed)
    assert "Die Regierung" not in proposed


def test_the_add_command_adds_the_candidate_and_it_is_not_proposed_again(tmp_path):
    glossary = tmp_path / "glossary"
    glossary.mkdir()
    (glossary / "people.toml").write_text(
        '[[term]]\ntarget = "Tô Lâm"\ntype = "person"\nlatin = ["To Lam"]\nru = ["То Лам"]\n',
        "utf-8")
    top = suggest(lambda: RUN, GLOSSARY)[0]
    command = shlex.split(add_command(top))
    assert command[:4] == ["workbench", "glossary", "add", "Pham Minh Chinh"]
    result = CliRunner().invoke(cli, [*command[1:], "--glossary", str(glossary)])
    assert result.exit_code == 0, result.output
    from workbench.glossary.store import load_glossary

    after = suggest(lambda: RUN, load_glossary([glossary]))
    assert not any("Pham" in form for c in after for form in c.forms)


def test_suggest_on_a_real_run_finds_every_new_official(tmp_path, installed_models):
    """RANDOM-WEIGHT models through the real engine: the sources are what is mined."""
    out = tmp_path / "out"
    runner = CliRunner()
    cache = str(tmp_path / "c.db")
    done = runner.invoke(cli, ["translate", str(UNSEEN), "-o", str(out), "--models-dir",
                               str(installed_models), "--cache", cache, "--glossary",
                               str(ROOT / "glossary"), "--silent"])
    assert done.exit_code == 0, done.output
    result = runner.invoke(cli, ["glossary", "suggest", str(out), "--json", "--cache", cache,
                                 "--glossary", str(ROOT / "glossary")])
    assert result.exit_code == 0, result.output
    candidates = json.loads(result.stdout)
    for c in candidates:
        assert {"source", "forms", "languages", "articles", "occurrences", "english"} <= set(c)
    top_ten = [c["source"] for c in candidates[:10]]
    for name in ("Nguyen Van Thang", "Bui Thanh Son", "Нгуен Ван Тханг", "Буй Тхань Шон"):
        assert name in top_ten, (name, top_ten)
    latin = next(c for c in candidates if c["source"] == "Nguyen Van Thang")
    assert latin["articles"] == 4 and "Nguyen Van Thanga" in latin["forms"]
    covered = ("To Lam", "Tran Cam Tu", "Tran Thanh Man", "Luong Cuong", "Biur", "Hanoi",
               "То Лам", "Лыонг")
    assert not any(part in form for c in candidates for form in c["forms"] for part in covered)
    text = runner.invoke(cli, ["glossary", "suggest", str(out), "--cache", cache,
                               "--glossary", str(ROOT / "glossary")])
    assert text.exit_code == 0
    assert text.stdout.strip().splitlines()[-1].strip().startswith(
        f"workbench glossary add {shlex.quote(candidates[0]['source'])} --type ")


def test_a_comma_list_is_never_a_candidate():
    """'Anstrengungen, Bemühungen und Erfolge' (German nouns are capitalised) was proposed
    as a person: a name never spans a comma."""
    from workbench.glossary.store import Glossary
    from workbench.glossary.suggest import suggest
    from workbench.records import Kind, Record, Status

    text = ("Er würdigte die Anstrengungen, Bemühungen und Erfolge der Zentrale im Jahr und "
            "dankte Nguyen Van Thang.")
    records = [Record(article=f"a{n}", index=0, kind=Kind.BODY, src_lang="de", src=text,
                      tgt_lang="en", tgt="x", status=Status.TRANSLATED) for n in range(3)]
    found = suggest(lambda: records, Glossary(), min_occurrences=1)
    sources = [c.source for c in found]
    assert not any("," in s or "Anstrengungen" in s for s in sources), sources
    assert "Nguyen Van Thang" in sources
