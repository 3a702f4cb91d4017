"""Matching by lemma: stem alternations through simplemma's dictionaries, looked up in a child
process once per glossary and stored in the cache."""

import pytest

from workbench.cache import TranslationCache
from workbench.glossary import lemmas
from workbench.glossary.lemmas import LemmaError, lemma_forms
from workbench.glossary.match import Matcher
from workbench.glossary.store import Glossary, Term
from workbench.pipeline import RunStats, Translator

POLITBURO = Term(target="Politburo", type="body", forms={"pl": ("Biuro Polityczne",)})
MEMBER = Term(target="standing member of the Secretariat", type="title",
              forms={"pl": ("stały członek Sekretariatu",)})
LAM = Term(target="Tô Lâm", type="person", forms={"pl": ("To Lam",)})
GLOSSARY = Glossary((POLITBURO, MEMBER, LAM), "test")


@pytest.fixture(scope="module")
def matcher():
    m = Matcher(GLOSSARY, "pl")
    m.use_lemmas(lemma_forms("pl", m.words))
    return m


@pytest.mark.parametrize("text", ["Biuro Polityczne", "Biura Politycznego",
                                  "Biurze Politycznym", "Biurem Politycznym"])
def test_politburo_in_every_case(matcher, text):
    found = matcher.find(f"Zebrało się {text} partii.")
    assert [(m.surface, m.target) for m in found] == [(text, "Politburo")]


def test_mobile_vowel(matcher):
    found = matcher.find("jako stałego członka Sekretariatu")
    assert [m.target for m in found] == ["standing member of the Secretariat"]


def test_near_words_and_names_are_not_lemmatized(matcher):
    # biurko (desk) is not biuro; names are never looked up (Lam would be "lama", llama).
    assert matcher.find("Biurko Polityczne") == []
    assert "lam" not in {w.lower() for w in matcher.words}


def test_the_table_is_stored_and_the_dictionary_loaded_once(tmp_path, monkeypatch):
    monkeypatch.setattr(lemmas, "_tables", {})
    with TranslationCache(tmp_path / "c.db") as cache:
        first = lemma_forms("pl", ["Biuro"], cache)
        assert "biurze" in first["biuro"]
        monkeypatch.setattr(lemmas, "_tables", {})

        def no_child(*_):
            raise AssertionError("the dictionary was loaded again")

        monkeypatch.setattr(lemmas, "_in_child", no_child)
        assert lemma_forms("pl", ["Biuro"], cache) == first


def test_a_failed_lookup_is_a_notice_not_a_failure(tmp_path, monkeypatch):
    def broken(*_):
        raise LemmaError("the lookup process failed (MemoryError)")

    monkeypatch.setattr(lemmas, "_tables", {})
    monkeypatch.setattr(lemmas, "_in_child", broken)
    with TranslationCache(tmp_path / "c.db") as cache:
        stats = RunStats()
        translator = Translator(lambda s, t: None, cache, stats, GLOSSARY)
        m = translator.matcher("pl")
    assert [x.target for x in m.find("Biura Politycznego")] == ["Politburo"]  # by stems
    assert stats.notices == ["Glossary: no dictionary forms for pl (the lookup process "
                             "failed (MemoryError)); matching by stems and endings only"]
