"""Unseen Vietnamese names: detection, English forms, provisional protection.

The sentences here and in tests/data/names were written for these tests (not the dev set).
The end-to-end test runs the real CTranslate2 engine on the RANDOM-WEIGHT models: they never
write a name themselves, so every name in the English is there by the guarantee.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from workbench.engines.argos import ArgosEngine
from workbench.engines.base import Translation
from workbench.glossary.auto_names import auto_terms, is_auto, with_auto
from workbench.glossary.enforce import occurrences, protect, restore
from workbench.glossary.match import Matcher
from workbench.glossary.names import cyrillic_english, cyrillic_nominative
from workbench.glossary.prefix import enforce_batch
from workbench.glossary.store import Glossary, load_glossary
from workbench.glossary.vietnamese import cyrillic_spellings, is_syllable, latin_readings
from workbench.models.packages import newest_packages
from workbench.records import GlossaryHit
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "tests" / "data" / "names"
GLOSSARY = load_glossary([ROOT / "glossary"])


def targets(texts: dict[str, list[str]], text: str, lang: str,
            glossary: Glossary = GLOSSARY) -> list[tuple[str, str]]:
    """``(surface, English)`` of each automatic hit in ``text``."""
    names = auto_terms(texts, glossary)
    curated = Matcher(glossary, lang).find(text)
    return [(m.surface, m.target) for m in names.find(text, lang, curated) if is_auto(m.term)]


@pytest.mark.parametrize(("lang", "sentence", "surface"), [
    ("pl", "Rozmawiano z wicepremierem Bui Van Cuongiem o drogach.", "Bui Van Cuongiem"),
    ("pl", "Według Bui Van Cuonga plan jest gotowy.", "Bui Van Cuonga"),
    ("pl", "Minister podziękował Bui Van Cuongowi za pomoc.", "Bui Van Cuongowi"),
    ("pl", "Spotkanie z Bui Van Cuongem trwało godzinę.", "Bui Van Cuongem"),
    ("pl", "Po Bui Van Cuongu przemawiał gubernator.", "Bui Van Cuongu"),
    ("pl", "Mówiono o Bui Van Cuongie w parlamencie.", "Bui Van Cuongie"),
    ("de", "Nach Bui Van Cuongs Worten ist der Plan fertig.", "Bui Van Cuongs"),
    ("nb", "Ifølge Bui Van Cuongs kontor er planen klar.", "Bui Van Cuongs"),
    ("sv", "Enligt Bui Van Cuongs kansli är planen klar.", "Bui Van Cuongs"),
])
def test_latin_case_endings_give_the_nominative(lang, sentence, surface):
    texts = {lang: ["Minister Bui Van Cuong talte.", sentence]}
    assert targets(texts, sentence, lang) == [(surface, "Bui Van Cuong")]


@pytest.mark.parametrize(("word", "nominative"), [
    ("тиня", "тинь"), ("тиню", "тинь"), ("тинем", "тинь"), ("зунгом", "зунг"),
    ("фока", "фок"), ("шону", "шон"), ("куангнине", "куангнинь"), ("дананге", "дананг"),
    ("кантхо", "кантхо"), ("хоа", "хоа")])
def test_russian_case_endings(word, nominative):
    assert cyrillic_nominative(word)[0] == nominative


def test_russian_declined_forms_are_one_name_in_the_latin_spelling_of_the_run():
    texts = {"ru": ["Вице-премьер Нгуен Ти Зунг выступил.", "Встреча с Нгуен Ти Зунгом.",
                    "Губернатор провинции Лангшон приехал."],
             "nb": ["Visestatsminister Nguyen Chi Dung talte i Lang Son."]}
    assert targets(texts, "Встреча с Нгуен Ти Зунгом.", "ru") == [
        ("Нгуен Ти Зунгом", "Nguyen Chi Dung")]  # Т is Ch here: the run's Latin spelling
    assert targets(texts, "Губернатор провинции Лангшон приехал.", "ru") == [
        ("Лангшон", "Lang Son")]


@pytest.mark.parametrize(("russian", "english"), [
    ("Чан Лыу Куанг", "Tran Luu Quang"), ("Буй Тхань Шон", "Bui Thanh Son"),
    ("Нгуен Суан Фук", "Nguyen Xuan Phuc"), ("Данг Куок Кхань", "Dang Quoc Khanh"),
    ("Хюинь Тхань Дат", "Huynh Thanh Dat"), ("Фан Ван Зянг", "Phan Van Giang"),
    ("Хо Дык Фок", "Ho Duc Phoc"), ("Лыонг Кыонг", "Luong Cuong")])
def test_russian_back_transliteration_without_a_latin_spelling(russian, english):
    sentence = f"Министр {russian} выступил на заседании."
    assert targets({"ru": [sentence]}, sentence, "ru", Glossary()) == [(russian, english)]


def test_an_ambiguous_letter_keeps_both_readings_and_says_so():
    names = auto_terms({"ru": ["Министр Фам Минь Тинь выступил."]}, Glossary())
    (name,) = names.names
    assert name.english == "Pham Minh Chinh" and name.alternatives == ("Pham Minh Tinh",)
    assert "ambiguous, also Pham Minh Tinh" in name.term.note
    assert cyrillic_english([("чан",)], Counter())[0] == "Tran"  # Ч: Kontsevich's Tr first


def test_glossary_pairs_resolve_an_ambiguous_letter():
    names = auto_terms({"ru": ["Министр Фам Минь Тинь выступил."]}, GLOSSARY)
    assert names.names[0].english == "Pham Minh Tinh"  # the glossary has Ха Тинь = Ha Tinh


@pytest.mark.parametrize(("lang", "sentence"), [
    ("nb", "Han sa at Hun Sen var i Hanoi."), ("nb", "Vi Ho vil ikke."),
    ("de", "Im Mai war der Ton freundlich, sagte Li Xi."), ("de", "Laut VNA kam Wang Yi."),
    ("de", "Thema war die Lage in Laos und Chinas Rolle."),
    ("pl", "Po rozmowie Li Qiang i Cai Qi wyjechali."), ("pl", "To Ten Na Po ASEAN."),
    ("sv", "Men Thein Sein och Sonexay Siphandone kom."), ("sv", "Antony Blinken talade."),
    ("ru", "Он сказал, что Ван И и Мао Нин приедут в Китай."),
    ("ru", "Это АСЕАН и ВИА, по словам Хун Манета."),
    ("ru", "Хотя Ли Си был во Вьетнаме, на Меконге не был."),
    ("ru", "Делегация из Китая, с Кубы и из Токио прибыла в Чили."),
    ("nb", "Generalsekretær To Lam besøkte Hanoi."), ("ru", "Товарищ То Лам прибыл в Ханой."),
])
def test_traps_make_no_automatic_hit(lang, sentence):
    assert targets({lang: [sentence]}, sentence, lang) == []


@pytest.mark.parametrize(("lang", "sentence", "english"), [
    ("nb", "Han reiste til Quang Tri-provinsen.", "Quang Tri"),
    ("sv", "Hon besökte provinsen Kien Giang i går.", "Kien Giang"),
    ("de", "Das Werk in Binh Duong wächst.", "Binh Duong"),
    ("pl", "Fabryka w Binh Duong rośnie.", "Binh Duong"),
    ("ru", "Завод в провинции Биньзыонг растёт.", "Binh Duong"),
])
def test_places_need_a_locative_word(lang, sentence, english):
    assert [t for _, t in targets({lang: [sentence]}, sentence, lang)] == [english]


def test_a_name_accepted_once_is_found_where_it_recurs():
    texts = {"nb": ["Hun bodde i Binh Duong.", "Hun sa at Binh Duong vokser."]}
    assert targets(texts, texts["nb"][1], "nb") == [("Binh Duong", "Binh Duong")]
    assert targets({"nb": texts["nb"][1:]}, texts["nb"][1], "nb") == []


def test_curated_entries_always_win():
    names = auto_terms({"nb": ["Visestatsminister Nguyen Van Thang talte."]}, Glossary())
    (auto,) = names.find("Visestatsminister Nguyen Van Thang talte.", "nb")
    curated = auto.__class__(GLOSSARY.terms[0], 0, 20, "x", "exact", "X")
    assert with_auto([curated], [auto]) == [curated]
    assert with_auto([], [auto]) == [auto]


@pytest.mark.parametrize(("word", "syllable"), [
    *((w, True) for w in ("nguyen", "quang", "khanh", "huynh", "truong", "thuy", "ngoc", "dak")),
    *((w, False) for w in ("po", "laut", "thema", "wang", "qiang", "kong", "ning", "yi"))])
def test_syllable_inventory(word, syllable):
    assert is_syllable(word) is syllable


def test_kontsevich_transcription():
    assert cyrillic_spellings("truong")[0] == "чыонг" and cyrillic_spellings("chinh")[0] == "тинь"
    assert latin_readings("зянг") == ("giang",) and "hue" in latin_readings("хюэ")


def test_glossary_hit_auto_is_backward_compatible():
    plain = GlossaryHit("To Lam", "Tô Lâm", True, "placeholder")
    assert "auto" not in plain.to_dict() and GlossaryHit.from_dict(plain.to_dict()) == plain
    auto = GlossaryHit("Bui Van Cuonga", "Bui Van Cuong", True, "placeholder", auto=True)
    assert auto.to_dict()["auto"] is True and GlossaryHit.from_dict(auto.to_dict()) == auto


def test_a_segment_without_unseen_names_is_protected_as_before():
    text = "Generalsekretær To Lam besøkte Hanoi."
    curated = Matcher(GLOSSARY, "nb").find(text)
    names = auto_terms({"nb": [text]}, GLOSSARY)
    assert names.names == [] and names.find(text, "nb", curated) == curated
    before, after = protect(text, curated), protect(text, names.find(text, "nb", curated))
    assert before == after and "~auto" not in after.key


def test_an_automatic_hit_says_auto_and_keys_the_cache_apart():
    text = "Visestatsminister Nguyen Van Thang besøkte Hanoi."
    names = auto_terms({"nb": [text]}, GLOSSARY)
    protected = protect(text, names.find(text, "nb", Matcher(GLOSSARY, "nb").find(text)))
    assert "person:Nguyen Van Thang:7301~auto" in protected.key
    _, hits = restore(protected, Translation("Deputy Prime Minister 7301 visited 7302.", -1.0))
    assert [(h.target, h.found, h.auto) for h in hits] == [
        ("Nguyen Van Thang", True, True), ("Hanoi", True, False)]


def held_out() -> tuple[dict[str, list[str]], list[tuple[str, int, str, dict]]]:
    texts: dict[str, list[str]] = {}
    rows = []
    for article in sorted(HELD_OUT.glob("*.txt")):
        lang = article.stem.rsplit("_", 1)[1]
        lines = article.read_text("utf-8").splitlines()
        texts.setdefault(lang, []).extend(lines)
        for row in (HELD_OUT / f"{article.stem}.gold.jsonl").read_text("utf-8").splitlines():
            gold = json.loads(row)
            rows.append((lang, gold["line"], lines[gold["line"] - 1], gold))
    return texts, rows


def test_held_out_set_every_name_and_no_trap():
    texts, rows = held_out()
    names = auto_terms(texts, GLOSSARY)
    per_line: dict[tuple[str, str], list] = {}
    for lang, _, line, _ in rows:
        per_line[lang, line] = names.find(line, lang, Matcher(GLOSSARY, lang).find(line))
    assert {lang for lang, *_ in rows} == {"nb", "pl", "de", "ru", "sv"}
    for lang, number, line, gold in rows:
        start = line.index(gold["form"])
        on = [m for m in per_line[lang, line] if m.start < start + len(gold["form"])
              and start < m.end]
        if "english" in gold:
            assert [(is_auto(m.term), m.target) for m in on] == [(True, gold["english"])], gold
        elif gold.get("trap"):
            assert not any(is_auto(m.term) for m in on), (lang, number, gold)
        else:
            assert on and not any(is_auto(m.term) for m in on), gold


def test_the_guarantee_puts_every_unseen_name_in_the_english(installed_models):
    """RANDOM-WEIGHT models through the real engine: placeholders, n-best, forced prefixes."""
    texts, rows = held_out()
    names = auto_terms(texts, GLOSSARY)
    packages = newest_packages(installed_models)
    expected = placed = 0
    for lang, lines in texts.items():
        engine = ArgosEngine(packages[lang, "en"],
                             Settings(models_dir=installed_models, threads=1))
        protected = [protect(line, names.find(line, lang, Matcher(GLOSSARY, lang).find(line)))
                     for line in lines]
        first = engine.translate_batch([p.engine_input for p in protected], n_best=4,
                                       alignment=True)
        for line, (english, hits) in zip(lines, enforce_batch(engine, protected, first).outputs,
                                         strict=True):
            gold = Counter(g["english"] for lg, _, text, g in rows
                           if lg == lang and text == line and "english" in g)
            for target, n in gold.items():
                expected += n
                placed += min(n, len(occurrences(english, [target])[target]))
            assert all(h.found for h in hits if h.auto), (line, english)
    assert expected == 54 and placed == expected
