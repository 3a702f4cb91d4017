"""Matching by lemma: stem alternations through simplemma's dictionaries, looked up in a child
process once per glossary and stored in the cache."""

import pytest

from workbench.cache.blobs import BlobBuffer
from workbench.cache.store import TranslationCache
from workbench.glossary import lemmas
from workbench.glossary.lemmas import LemmaError, lemma_forms
from workbench.glossary.match import Matcher
from workbench.glossary.store import Glossary, Term
from workbench.run.pipeline import RunContext
from workbench.run.stats import RunStats

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
    monkeypatch.setattr(lemmas, "starter_forms", lambda version: {})
    with TranslationCache(tmp_path / "c.db") as cache:
        first = lemma_forms("pl", ["Biuro"], BlobBuffer(cache))
        assert "biurze" in first["biuro"]
        monkeypatch.setattr(lemmas, "_tables", {})

        def no_child(*_):
            raise AssertionError("the dictionary was loaded again")

        monkeypatch.setattr(lemmas, "_in_child", no_child)
        assert lemma_forms("pl", ["Biuro"], BlobBuffer(cache)) == first


def test_a_failed_lookup_is_a_notice_not_a_failure(tmp_path, monkeypatch):
    def broken(*_):
        raise LemmaError("the lookup process failed (MemoryError)")

    monkeypatch.setattr(lemmas, "_tables", {})
    monkeypatch.setattr(lemmas, "_in_child", broken)
    monkeypatch.setattr(lemmas, "starter_forms", lambda version: {})
    with TranslationCache(tmp_path / "c.db") as cache:
        stats = RunStats()
        translator = RunContext(lambda s, t: None, cache, stats, GLOSSARY)
        m = translator.matcher("pl")
    assert [x.target for x in m.find("Biura Politycznego")] == ["Politburo"]  # by stems
    assert stats.notices == ["Glossary: no dictionary forms for pl (the lookup process "
                             "failed (MemoryError)); matching by stems and endings only"]


def test_the_starter_glossary_needs_no_dictionary(tmp_path, monkeypatch):
    """Its words ship looked up: a new cache loads no dictionary; a new word alone does."""
    from pathlib import Path

    from workbench.glossary.store import load_glossary

    starter = load_glossary([Path(lemmas.__file__).parent.parent / "starter" / "glossary"])
    asked: list[tuple[str, list[str]]] = []

    def child(lang, words):
        asked.append((lang, words))
        return {w: (w,) for w in words}

    monkeypatch.setattr(lemmas, "_tables", {})
    monkeypatch.setattr(lemmas, "_in_child", child)
    shipped = lemmas.starter_forms(lemmas.lemmas_version())
    assert set(shipped) >= {"de", "nb", "pl", "ru", "sv"}
    with TranslationCache(tmp_path / "c.db") as cache:
        for lang in shipped:
            table = lemma_forms(lang, Matcher(starter, lang).words, BlobBuffer(cache))
            assert table and all(table[w] == tuple(shipped[lang][w]) for w in table)
        assert asked == []
        table = lemma_forms("pl", [*Matcher(starter, "pl").words, "Prezydium"], BlobBuffer(cache))
    assert asked == [("pl", ["prezydium"])]
    assert table["biuro"] == tuple(shipped["pl"]["biuro"])


def test_the_shipped_table_is_what_the_dictionary_says():
    """Regenerate with ``python -m workbench.glossary.lemmas --write-starter`` if this fails."""
    shipped = lemmas.starter_forms(lemmas.lemmas_version())
    assert shipped, "starter/lemmas.json was written by another simplemma version"
    for lang in ("de", "sv"):  # the quick dictionaries; the rest were written the same way
        words = sorted(shipped[lang])
        assert lemmas._in_child(lang, words) == {w: tuple(f) for w, f in
                                                 shipped[lang].items()}
