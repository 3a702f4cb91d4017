"""Properties over arbitrary Unicode (hypothesis): nothing lost, nothing empty, idempotent."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.text.normalize import normalize_line, normalize_text
from workbench.text.prepare import prepare_text
from workbench.text.reader import ArticleFile
from workbench.text.segment import split_sentences

LANGS = st.sampled_from(["nb", "sv", "da", "de", "pl", "ru", "en"])
# Text biased towards what matters: letters, sentence punctuation, quotes, digits, spaces.
PIECES = st.sampled_from(["Ab", "cd", "Ж", "ł", ".", ". ", "! ", "? ", "…", " ", "\n", "«",
                          "»", "„", "“", "13.", "nr.", "z. B.", "r.", "г.", "Foto: X/VNA",
                          "(0)", "\u200b", "\u00a0", " ,", "https://a.b/c.d", "\t"])
TEXT = st.one_of(st.text(), st.lists(PIECES, max_size=40).map("".join))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=300, deadline=None)
@given(TEXT, LANGS)
def test_segmentation_loses_nothing_and_returns_no_empty_sentence(text, lang):
    line, _ = normalize_line(text.replace("\n", " "))
    sentences = split_sentences(line, lang)
    assert all(s.strip() for s in sentences)
    assert squash("".join(sentences)) == squash(line)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalization_is_idempotent(text):
    once = normalize_text(text)
    twice = normalize_text("\n".join(line for _, line in once.lines))
    assert [line for _, line in twice.lines] == [line for _, line in once.lines]
    assert twice.removed_chars == 0


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_prepared_records_hold_the_whole_normalized_text(text):
    article = prepare_text(ArticleFile("a", __file__), text)
    normalized = normalize_text(text)
    assert [s.index for s in article.segments] == list(range(len(article.segments)))
    assert squash("".join(s.text for s in article.segments)) == squash(
        "".join(line for _, line in normalized.lines))
