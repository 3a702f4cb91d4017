"""Unit tests of small pieces: per-segment language, duplicates, glued words, length caps,
word alignment from attention, and token batches."""

import pytest

from workbench.engines.argos import word_alignment
from workbench.run.pipeline import _token_batches
from workbench.text.detect import Guess, segment_language
from workbench.text.duplicates import RepeatedSentences, near_duplicates
from workbench.text.normalize import split_glued
from workbench.text.segment import cap_length

NB = Guess("nb", 1.0)


@pytest.mark.parametrize(("text", "article", "expected"), [
    ("Thủ tướng Phạm Minh Chính phát biểu tại hội nghị.", NB, "vi"),  # Vietnamese letters
    ("Министр иностранных дел прибыл сегодня в Ханой.", NB, "ru"),  # another script, 4+ words
    ("Москва", NB, "nb"),  # one foreign word is too little to switch
    ("Statsministeren talte.", NB, "nb"),  # short lines keep the article's language
    ("Hun sa at regjeringen vil fortsette arbeidet med reformene i hele landet neste år.",
     Guess("sv", 1.0), "sv"),  # nb vs sv are too close to switch on langid alone
    ("The Prime Minister said the government would continue its work on the reforms "
     "across the whole country next year.", NB, "en"),  # long and confident: switches
])
def test_segment_language(text, article, expected):
    assert segment_language(text, article).lang == expected


def test_near_duplicates_point_at_the_first_copy():
    lead = "Statsministeren besøkte Hanoi i dag og møtte representanter for regjeringen der."
    paragraphs = [lead, "Kort linje.", "Noe helt annet skjedde senere samme dag i Oslo by.",
                  lead, lead.replace("i dag", "på tirsdag"), "Kort linje."]
    assert near_duplicates(paragraphs) == {3: (0, True), 4: (0, False)}


def test_repeated_sentences_are_flagged_from_six_words():
    seen = RepeatedSentences()
    assert seen.first_copy("Dette er en setning med seks ord.", 2) is None
    assert seen.first_copy("Takk.", 3) is None
    assert seen.first_copy("Takk.", 4) is None  # short: repeats legitimately
    assert seen.first_copy("Dette er en setning med seks ord.", 7) == 2


@pytest.mark.parametrize(("line", "prefixes", "expected"), [
    ("Mitglied desPolitbüros heute", {"des"}, ("Mitglied des Politbüros heute", True)),
    ("Mitglied xyzPolitbüros heute", {"des"}, ("Mitglied xyzPolitbüros heute", True)),
    ("Ein iPhone und McDonald", {"des"}, ("Ein iPhone und McDonald", False)),
    ("Siehe https://example.com/desPolitbüros", {"des"},
     ("Siehe https://example.com/desPolitbüros", False)),
])
def test_split_glued_only_where_certain(line, prefixes, expected):
    assert split_glued(line, frozenset(prefixes)) == expected


def test_cap_length_cuts_at_spaces_and_loses_nothing():
    sentence = " ".join(f"ord{i}" for i in range(400))
    pieces = cap_length(sentence, 100)
    assert all(len(p) <= 100 for p in pieces) and len(pieces) > 1
    assert " ".join(pieces) == sentence
    assert cap_length("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]
    assert cap_length("kort", 100) == ["kort"]


def test_word_alignment_sums_attention_over_pieces():
    source = ["▁Der", "▁Kanz", "ler", "▁sprach"]
    target = ["▁The", "▁chan", "cellor", "▁spoke"]
    attention = [[0.9, 0.05, 0.05, 0.0],
                 [0.1, 0.5, 0.4, 0.0],
                 [0.0, 0.3, 0.6, 0.1],
                 [0.0, 0.1, 0.0, 0.9]]
    assert word_alignment(source, target, attention) == ("The chancellor spoke", (0, 1, 2))
    assert word_alignment(source, [], []) is None


def test_token_batches_respect_the_budget_and_order():
    lengths = {"a": 5, "b": 5, "c": 8, "d": 20, "e": 1}
    batches = list(_token_batches(["a", "b", "c", "d", "e"], lengths, 10))
    assert batches == [["a", "b"], ["c"], ["d"], ["e"]]  # an oversized item goes alone
    assert [k for batch in batches for k in batch] == ["a", "b", "c", "d", "e"]
    assert list(_token_batches([], lengths, 10)) == []
