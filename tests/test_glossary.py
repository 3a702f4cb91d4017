"""Glossary: validation, inflection-aware matching, enforcement (with a TEST-DOUBLE engine
whose output is predictable), editing, and re-translation of exactly what an edit touches."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import FakeEngines

from workbench.cli import cli
from workbench.engines.base import Translation
from workbench.errors import InputError
from workbench.glossary.enforce import protect, restore
from workbench.glossary.match import Matcher
from workbench.glossary.store import Glossary, load_glossary, parse_glossary
from workbench.run.runner import translate_inputs
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def starter():
    return load_glossary([ROOT / "glossary"])


def found(glossary, lang, text):
    return [(m.surface, m.target) for m in Matcher(glossary, lang).find(text)]


# Forms written for these tests, most of them absent from the seeds.
@pytest.mark.parametrize(("lang", "text", "surface", "target"), [
    ("ru", "встреча с Лыонгом Кыонгом", "Лыонгом Кыонгом", "Lương Cường"),
    ("ru", "по приглашению Лыонга Кыонга", "Лыонга Кыонга", "Lương Cường"),
    ("ru", "письмо Лыонгу Кыонгу", "Лыонгу Кыонгу", "Lương Cường"),
    ("ru", "речь Генерального секретаря", "Генерального секретаря", "General Secretary"),
    ("ru", "с Генеральным секретарём То Ламом", "Генеральным секретарём", "General Secretary"),
    ("ru", "с Генеральным секретарём То Ламом", "То Ламом", "Tô Lâm"),
    ("ru", "заседание Политбюро", "Политбюро", "Politburo"),
    ("pl", "spotkanie z To Lamem", "To Lamem", "Tô Lâm"),
    ("pl", "wizyta To Lama", "To Lama", "Tô Lâm"),
    ("pl", "list Sekretarza Generalnego", "Sekretarza Generalnego", "General Secretary"),
    ("pl", "z Sekretarzem Generalnym", "Sekretarzem Generalnym", "General Secretary"),
    ("pl", "członek Biura Politycznego", "Biura Politycznego", "Politburo"),
    ("pl", "posiedzenie Zgromadzenia Narodowego", "Zgromadzenia Narodowego",
     "National Assembly"),
    ("de", "Rede des Generalsekretärs", "Generalsekretärs", "General Secretary"),
    ("de", "ein Politbüromitglied", "Politbüromitglied", "Politburo"),
    ("de", "Sitzung des Zentralkomitees", "Zentralkomitees", "Central Committee"),
    ("nb", "møtte generalsekretæren", "generalsekretæren", "General Secretary"),
    ("nb", "politbyråets vedtak", "politbyråets", "Politburo"),
    ("nb", "i sentralkomiteen", "sentralkomiteen", "Central Committee"),
    ("sv", "politbyrån beslutade", "politbyrån", "Politburo"),
    ("sv", "sekretariatets arbete", "sekretariatets", "Secretariat"),
    ("sv", "generalsekreteraren talade", "generalsekreteraren", "General Secretary"),
    ("da", "generalsekretæren", "generalsekretæren", "General Secretary"),
    ("de", "Trần Thanh Mẫn sprach", "Trần Thanh Mẫn", "Trần Thanh Mẫn"),
    ("de", "Beschluss gemäß Resolution Nr. 57-NQ/TW", "Resolution Nr. 57-NQ/TW",
     "Resolution No. 57-NQ/TW"),
    ("pl", "Dekretu 24/2025/ND-CP", "Dekretu 24/2025/ND-CP", "Decree 24/2025/ND-CP"),
    ("sv", "Förordning nr 370 antogs", "Förordning nr 370", "Regulation No. 370"),
    ("nb", "i henhold til 35-CT/TW", "35-CT/TW", "35-CT/TW"),
])
def test_inflected_forms_match(starter, lang, text, surface, target):
    assert (surface, target) in found(starter, lang, text)


@pytest.mark.parametrize(("lang", "text"), [
    ("pl", "Tom Lambert przyjechał"),  # "To Lam" must not match inside other names
    ("de", "Die Politik des Sekretärs"),
    ("ru", "Президиум собрался"),
    ("nb", "president Biden"),
])
def test_no_false_matches(starter, lang, text):
    assert [t for _, t in found(starter, lang, text)
            if t in ("Tô Lâm", "General Secretary", "Politburo")] == []


def test_starter_glossary_covers_every_seed_person(starter):
    people = {t.target for t in starter.terms if t.type == "person"}
    assert {"Trần Thanh Mẫn", "Tô Lâm", "Lương Cường", "Trần Cẩm Tú", "Vũ Hải Hà",
            "Trương Thị Mai", "Lê Minh Hưng", "Hoàng Trung Dũng", "Trần Thế Dũng",
            "Võ Trọng Hải", "Trần Phú", "Hà Huy Tập", "Nguyễn Duy Ngọc", "Lê Hoài Trung",
            "Trần Văn Rón", "Hoàng Đăng Quang"} <= people


@pytest.mark.parametrize(("text", "message"), [
    ('[[term]]\ntarget = "X"\ntype = "persn"\nlatin = ["X"]\n',
     "g.toml:3: type must be one of person, title, body, document, place (got 'persn')"),
    ('[[term]]\ntype = "person"\nlatin = ["X"]\n', "g.toml:1: entry has no target"),
    ('[[term]]\ntarget = "X"\ntype = "person"\n\n[[term]\n', "g.toml:5: not valid TOML"),
    ('[[term]]\ntarget = "X"\ntype = "person"\nlatin = []\n',
     "g.toml:4: latin must be a form or a list of forms"),
    ('[[term]]\ntarget = "X"\ntype = "person"\nsurname = ["X"]\n',
     "g.toml:4: unknown key 'surname'"),
    ('[[term]]\ntarget = "No. {number}"\ntype = "document"\npattern.de = "Nr (\\\\d+"\n',
     "g.toml:4: pattern.de is not a valid regular expression"),
])
def test_malformed_glossary_names_file_and_line(tmp_path, text, message):
    with pytest.raises(InputError) as caught:
        parse_glossary(text, Path("g.toml"))
    assert str(caught.value).startswith(message)


def test_malformed_glossary_stops_the_run_before_translating(tmp_path, seeds_dir):
    bad = tmp_path / "glossary"
    bad.mkdir()
    (bad / "people.toml").write_text('[[term]]\ntarget = "X"\ntype = "nobody"\nlatin = ["X"]\n')
    result = CliRunner().invoke(cli, ["translate", str(seeds_dir), "-o", str(tmp_path / "out"),
                                      "--glossary", str(bad), "--models-dir", str(tmp_path),
                                      "--cache", str(tmp_path / "c.db"), "--silent"])
    assert result.exit_code == 1
    assert result.output == (f"Error: {bad / 'people.toml'}:3: type must be one of person, "
                             "title, body, document, place (got 'nobody')\n")
    assert not (tmp_path / "out" / "records.jsonl").exists()


GLOSSARY = Glossary(tuple(parse_glossary('''
[[term]]
target = "Tô Lâm"
type = "person"
latin = ["To Lam"]
[[term]]
target = "General Secretary"
type = "title"
de = ["Generalsekretär"]
''', Path("g.toml"))), "v")
SENTENCE = "Generalsekretär To Lam besuchte Hanoi."


def test_placeholder_copied_by_the_model_is_restored():
    protected = protect(SENTENCE, Matcher(GLOSSARY, "de").find(SENTENCE))
    assert protected.engine_input == "Generalsekretär 7301 besuchte Hanoi."
    text, hits = restore(protected, Translation("General Secretary 7301 visited Hanoi.", -0.2))
    assert text == "General Secretary Tô Lâm visited Hanoi."
    assert [(h.target, h.found, h.enforced) for h in hits] == [
        ("General Secretary", True, "model"), ("Tô Lâm", True, "placeholder")]


def test_n_best_hypothesis_that_keeps_terms_wins():
    protected = protect(SENTENCE, Matcher(GLOSSARY, "de").find(SENTENCE))
    text, hits = restore(protected, Translation(
        "Secretary-General Lam visited Hanoi.", -0.2,
        ("The General Secretary 7301 visited Hanoi.",)))
    assert text == "The General Secretary Tô Lâm visited Hanoi."
    assert {h.enforced for h in hits} == {"n-best"}


def test_attention_aligned_replacement():
    protected = protect(SENTENCE, Matcher(GLOSSARY, "de").find(SENTENCE))
    # Source words: Generalsekretär(0) 7301(1) besuchte(2) Hanoi.(3)
    text, hits = restore(protected, Translation(
        "secretary-general Lam visited Hanoi.", -0.9, (), (0, 1, 2, 3)))
    assert text == "General Secretary Tô Lâm visited Hanoi."
    assert {h.enforced for h in hits} == {"attention"}


def test_unrepairable_terms_are_reported_missed_and_no_placeholder_leaks():
    protected = protect(SENTENCE, Matcher(GLOSSARY, "de").find(SENTENCE))
    text, hits = restore(protected, Translation("Someone 7301 7301 went somewhere.", -3.0))
    assert text == "Someone Tô Lâm went somewhere."
    assert [(h.target, h.found, h.enforced) for h in hits] == [
        ("General Secretary", False, "missed"), ("Tô Lâm", True, "placeholder")]
    text, hits = restore(protected, Translation("Nothing useful.", -3.0))
    assert "7301" not in text and [h.found for h in hits] == [False, False]


def test_placeholders_avoid_numbers_in_the_sentence():
    text = "To Lam sprach vor 7301 Delegierten."
    protected = protect(text, Matcher(GLOSSARY, "de").find(text))
    assert protected.engine_input == "7302 sprach vor 7301 Delegierten."


def run_fake(tmp_path, folder, glossary_dir, out):
    engines = FakeEngines(["nb"])
    settings = Settings(models_dir=tmp_path / "m", cache_path=tmp_path / "cache.db",
                        glossary_paths=(glossary_dir,))
    stats = translate_inputs([folder], tmp_path / out, settings, engines).stats
    records = [json.loads(x) for x in (tmp_path / out / "records.jsonl").read_text().splitlines()]
    return engines.segments_sent, stats, records


def test_glossary_add_retranslates_exactly_the_segments_with_the_term(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Regjeringen møtte Stortinget i dag og diskuterte budsjettet grundig. "
        "Statsministeren Jonas Gahr Støre talte lenge om skatten. "
        "Opposisjonen var uenig i mange av forslagene. "
        "Jonas Gahr Støre svarte på spørsmålene etterpå.\n", encoding="utf-8")
    glossary_dir = tmp_path / "glossary"
    shutil.copytree(ROOT / "glossary", glossary_dir)
    sent, _, _ = run_fake(tmp_path, folder, glossary_dir, "out1")
    assert sent == 4
    sent, _, _ = run_fake(tmp_path, folder, glossary_dir, "out2")
    assert sent == 0
    add = CliRunner().invoke(cli, ["glossary", "add", "Jonas Gahr Støre", "--type", "person",
                                   "--form", "latin=Jonas Gahr Støre",
                                   "--glossary", str(glossary_dir)])
    assert add.exit_code == 0, add.output
    sent, stats, records = run_fake(tmp_path, folder, glossary_dir, "out3")
    assert sent == 2  # the two segments that contain the new term, and no others
    assert stats.glossary_retranslated == 2
    assert [r["status"] for r in records] == ["cached", "translated", "cached", "translated"]
    assert all("Jonas Gahr Støre" in r["tgt"] for r in records if r["glossary"])
    assert all("7301" not in r["tgt"] for r in records)


def test_glossary_edit_keeps_formatting_and_removes(tmp_path):
    folder = tmp_path / "glossary"
    folder.mkdir()
    original = "# People we name\n\n[[term]]\ntarget = \"Tô Lâm\"  # General Secretary\n" \
               "type = \"person\"\nlatin = [\"To Lam\"]\n"
    (folder / "people.toml").write_text(original, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["glossary", "add", "Tô Lâm", "--type", "person", "--form",
                                 "ru=То Лам", "--glossary", str(folder)])
    assert result.exit_code == 0 and "Extended 'Tô Lâm'" in result.output
    text = (folder / "people.toml").read_text(encoding="utf-8")
    assert text.startswith("# People we name\n\n[[term]]\ntarget = \"Tô Lâm\"  # General Secretary")
    assert load_glossary([folder]).terms[0].forms == {"latin": ("To Lam",), "ru": ("То Лам",)}
    result = runner.invoke(cli, ["glossary", "remove", "Tô Lâm", "--glossary", str(folder)])
    assert result.exit_code == 0
    assert len(load_glossary([folder])) == 0
    result = runner.invoke(cli, ["glossary", "remove", "Nobody", "--glossary", str(folder)])
    assert result.exit_code == 1 and "no glossary entry with target 'Nobody'" in result.output
