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


# Fast paths must agree with the slow, general ones they stand in for.
LATIN_CYRILLIC = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x24F),
    st.characters(min_codepoint=0x300, max_codepoint=0x36F),
    st.characters(min_codepoint=0x400, max_codepoint=0x52F),
    st.characters(min_codepoint=0x1E00, max_codepoint=0x1EFF), st.just(" ")), max_size=30)


@settings(max_examples=500, deadline=None)
@given(st.one_of(LATIN_CYRILLIC, st.text(max_size=30)))
def test_folding_by_table_is_folding_by_decomposition(text):
    from workbench.glossary.match import _fold_slowly, fold

    assert fold(text) == _fold_slowly(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(LATIN_CYRILLIC, st.text(max_size=30)))
def test_script_shortcuts_agree_with_unicode_scripts(text):
    from workbench.text import detect

    counts = dict.fromkeys(detect._SCRIPTS, 0)
    for match in detect._SCRIPT_RE.finditer(text):
        counts[detect._SCRIPTS[match.lastindex - 1]] += match.end() - match.start()
    script, count = max(counts.items(), key=lambda item: item[1])
    assert detect.script_of(text) == (script if count else None)


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_glued_words_are_found_in_the_line_whenever_in_a_token(text):
    """split_glued skips a line with no glued-word boundary: sound only if a boundary inside
    any of its tokens is also one in the whole line."""
    from workbench.text import normalize

    for line in text.splitlines():
        if normalize._GLUED_RE.search(line) is None:
            assert not any(normalize._GLUED_RE.search(token) for token in line.split())


@settings(max_examples=500, deadline=None)
@given(st.one_of(LATIN_CYRILLIC, st.text(max_size=30), TEXT))
def test_tokens_folded_from_the_folded_text_are_tokens_folded_one_by_one(text):
    from workbench.glossary.match import _TOKEN, _fold_tokens, fold

    tokens = list(_TOKEN.finditer(text))
    assert _fold_tokens(text, tokens) == [fold(token.group(0)) for token in tokens]


WORDS = st.lists(st.sampled_from(["die", "Stadt", "the", "city", "der", "rat", "Rat", "a",
                                  "www.x.de", "e@x.de", "12", "3,5", "-", "sehr"]),
                 max_size=14).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(WORDS, WORDS, st.sampled_from(["", "Stadt", "der Rat"]))
def test_qa_shortcuts_agree_with_the_plain_definitions(src, tgt, term):
    """Untranslated and repetition checks skip work early; they must answer as in full."""
    from workbench.qa import checks as qa
    from workbench.records import GlossaryHit, Kind, Record, Status

    hits = (GlossaryHit(term, term, True, "matched"),) if term else ()
    record = Record("a", 0, Kind.BODY, "de", src, "en", tgt, Status.TRANSLATED, glossary=hits)

    def words(text):
        return [w.lower() for w in qa.WORD.findall(qa._URL.sub(" ", text))]

    terms = {w for hit in hits for w in words(hit.term)}
    english = words(tgt)
    copied = set(zip(english, english[1:], english[2:], strict=False))
    source = [w.lower() if w[:1].islower() and len(w) > 1 and w.lower() not in terms else None
              for w in qa.WORD.findall(qa._URL.sub(" ", src))]
    plain = next((f"source words {' '.join(t)!r} are copied, not translated"
                  for t in zip(source, source[1:], source[2:], strict=False)
                  if None not in t and t in copied), None)
    assert qa.check_untranslated(record) == plain
    tgt_words = [w.lower() for w in qa.WORD.findall(tgt)]
    if len(set(tgt_words)) == len(tgt_words) or not any(
            tgt_words.count(w) >= 3 for w in tgt_words):
        assert qa.check_repetition(record) is None


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(
    ["a", "&", "<", ">", '"', "'", "\r", "\n", "\t", "\x00", "\ud800", "\ufffe", "&amp;"]),
    max_size=20).map("".join)))
def test_xml_escaping_by_replace_is_escaping_by_table(value):
    from workbench.outputs import xml_text

    valid = xml_text._NOT_XML.sub("\ufffd", value)
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
    assert xml_text.text(value) == valid.translate(str.maketrans(table))
    table |= {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
    assert xml_text.attribute(value) == valid.translate(str.maketrans(table))


# --- the glossary prefilter never hides a match ---------------------------------------------

_GLOSSARY = None


def _repository_glossary():
    global _GLOSSARY
    if _GLOSSARY is None:
        from pathlib import Path

        from workbench.glossary.store import Glossary, load_glossary

        whole = load_glossary([Path(__file__).resolve().parent.parent / "glossary"])
        # A pattern makes could_match always true: test the forms.
        _GLOSSARY = Glossary(tuple(t for t in whole.terms if not t.patterns), "forms")
    return _GLOSSARY


NAME_PIECES = st.sampled_from(["Tô Lâm", "TO LAM", "Trần", "Тран", "Лыонга Кыонга", "Đảng",
                               "politbyrået", "Politbüros", "ＴＯ ＬＡＭ", "ﬁ", "T\u0302o\u0302",
                               "–", " ", "-", "'", "_", "x", "Nguyễn", "Центрального", "ß"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(NAME_PIECES, max_size=12).map("".join)), LANGS)
def test_could_match_is_false_only_when_find_finds_nothing(text, lang):
    from workbench.glossary.match import Matcher

    matcher = Matcher(_repository_glossary(), lang)
    if matcher.find(text):
        assert matcher.could_match(text)
