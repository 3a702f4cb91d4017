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


def test_inflected_forms_and_both_scripts_are_one_candidate_ranked_by_articles():
    found = suggest(lambda: RUN, GLOSSARY)
    top = found[0]
    assert top.source == "Pham Minh Chinh" and top.type == "person"
    assert set(top.forms) == {"Pham Minh Chinh", "Pham Minh Chinha", "Pham Minh Chinhem",
                              "Фам Минь Тинь", "Фам Минь Тиня"}
    assert top.languages == {"pl", "sv", "de", "ru"} and len(top.articles) == 4
    assert top.occurrences == 9
    assert not any(c.source.startswith("Фам") for c in found)  # no second candidate
    assert shlex.split(add_command(top))[3:] == [
        "Pham Minh Chinh", "--type", "person", "--form", "latin=Pham Minh Chinh",
        "--form", "ru=Фам Минь Тинь"]
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
    top_ten = {c["source"]: c for c in candidates[:10]}
    for latin, cyrillic in (("Nguyen Van Thang", "Нгуен Ван Тханг"),
                            ("Bui Thanh Son", "Буй Тхань Шон")):
        # One candidate per official: the Russian spelling is one of its forms.
        assert latin in top_ten and cyrillic in top_ten[latin]["forms"], (latin, top_ten)
        assert f"ru={cyrillic}" in top_ten[latin]["add_command"]
    assert not any(c["source"].startswith(("Нгуен", "Буй")) for c in candidates)
    thang = top_ten["Nguyen Van Thang"]
    assert thang["articles"] == 5 and "Nguyen Van Thanga" in thang["forms"]  # four + ru
    covered = ("To Lam", "Tran Cam Tu", "Tran Thanh Man", "Luong Cuong", "Biur", "Hanoi",
               "То Лам", "Лыонг")
    assert not any(part in form for c in candidates for form in c["forms"] for part in covered)
    text = runner.invoke(cli, ["glossary", "suggest", str(out), "--cache", cache,
                               "--glossary", str(ROOT / "glossary")])
    assert text.exit_code == 0
    # The run protected both as automatic names: listed first, each with the command that
    # accepts it into the glossary.
    assert f"accept: {candidates[0]['add_command']}" in \
        [line.strip() for line in text.stdout.splitlines()]
    assert all(c.get("auto") for c in candidates[:2])


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


PLANTED = ROOT / "tests" / "data" / "planted"


def test_every_planted_official_is_proposed_once_with_both_scripts(tmp_path):
    """Held-out articles in five languages and two scripts (tests/data/planted), defaults."""
    out, empty = tmp_path / "out", tmp_path / "no-models"
    empty.mkdir()
    runner = CliRunner()
    done = runner.invoke(cli, ["translate", str(PLANTED), "-o", str(out), "--models-dir",
                               str(empty), "--cache", str(tmp_path / "c.db"), "--glossary",
                               str(ROOT / "glossary"), "--silent"])
    assert done.exit_code == 3, done.output  # no models: every record, no English
    result = runner.invoke(cli, ["glossary", "suggest", str(out), "--json", "--glossary",
                                 str(ROOT / "glossary")])
    assert result.exit_code == 0, result.output
    candidates = json.loads(result.stdout)
    planted = json.loads((PLANTED / "planted.json").read_text("utf-8"))["officials"]
    for official in planted:
        found = [c for c in candidates if set(official["forms"]) & set(c["forms"])]
        assert len(found) == 1, (official, found)  # once, every spelling in one candidate
        assert set(official["forms"]) <= set(found[0]["forms"])
        assert found[0]["type"] == "person"
        assert shlex.split(found[0]["add_command"])[3] in (
            official["english"], official["forms"][0])
    assert len(candidates) == len(planted)  # nothing else: no glossary entry, no word
    chinh = next(c for c in candidates if "Фам Минь Тинь" in c["forms"])
    assert shlex.split(chinh["add_command"])[3] == "Phạm Minh Chính"  # diacritics known


def test_latin_and_cyrillic_spellings_in_the_glossary_are_one_name_and_others_are_not():
    from workbench.glossary.names import same_name
    from workbench.glossary.store import load_glossary

    people = [t for t in load_glossary([ROOT / "glossary"]).terms if t.type == "person"]
    pairs = [(t.target, latin.split(), ru.split()) for t in people
             for latin in t.forms.get("latin", ()) for ru in t.forms.get("ru", ())]
    assert len(pairs) >= 10
    assert all(same_name(latin, ru) for _, latin, ru in pairs)
    strangers = [(a, b) for (ta, la, _), (tb, _, rb) in
                 ((x, y) for x in pairs for y in pairs) if ta != tb and same_name(la, rb)
                 for a, b in [(ta, tb)]]
    assert strangers == []


def test_a_variant_of_an_entry_is_proposed_as_a_form_of_it():
    glossary = Glossary(tuple(parse_glossary('''
[[term]]
target = "Vietnam Fatherland Front"
type = "body"
de = ["Vaterländische Front Vietnams"]
''', Path("g.toml"))), "v")
    run = records(("a", "de", ["Die Vietnamesischen Vaterländischen Front tagte.",
                               "Die Vietnamesischen Vaterländischen Front lobte."]))
    found = suggest(lambda: run, glossary)
    assert [c.extends.target for c in found if c.extends] == ["Vietnam Fatherland Front"]
    assert shlex.split(add_command(found[0]))[3:] == [
        "Vietnam Fatherland Front", "--type", "body", "--form",
        "de=Vietnamesischen Vaterländischen Front"]


def test_titles_stand_before_different_names_and_prepositions_are_not_titles():
    run = records(
        ("a", "de", ["Finanzminister Nguyen Van Thang sprach.",
                     "Dann sprach Finanzminister Ho Duc Phoc lange."]),
        ("b", "pl", ["Przemówienie wygłoszone przez Nguyen Van Thang było długie.",
                     "List podpisany przez Nguyen Van Thang dotarł wczoraj.",
                     "Plan przez lata się zmieniał."]))
    titles = [c.source for c in suggest(lambda: run, Glossary(), min_occurrences=1)
              if c.type == "title"]
    assert titles == ["Finanzminister"]
