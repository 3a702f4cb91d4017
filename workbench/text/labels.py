"""Label each line of an article: title, body, caption, source, byline, dateline, boilerplate.

Labels come from wording (``cues.py``) and layout together: a comment counter or source line
near the end opens the page footer, a "related" heading opens a navigation list, a caption
label makes the next line a caption, the first short unpunctuated line is the title. Nothing
is dropped: each line keeps its text and becomes records whose ``kind`` says what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from workbench.records import Kind
from workbench.text import cues, line_features, line_model
from workbench.text.page_layout import JOINERS, is_name_line, page_layout, words

#: A line with at least this many words is article text, never footer or navigation.
LONG_LINE_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?…:;»”\"]$")
#: Punctuation that ends a sentence of running text (a headline may end in a quotation mark).
_FULL_STOP = re.compile(r"[.!?…:;]$")
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÞĐА-ЯЁŁŚŻŹĆŃÓ][\w'’.-]*$")


@dataclass(frozen=True, slots=True)
class LabelledLine:
    """A normalized line, what kind it is, and the language its wording gives away (if any)."""

    number: int
    text: str
    kind: Kind
    url: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class LabelledArticle:
    """Labelled lines and the metadata they revealed."""

    lines: tuple[LabelledLine, ...]
    source_url: str | None = None
    site: str | None = None
    byline: str | None = None
    date: str | None = None


def _cue(text: str) -> tuple[Kind | None, str | None, str | None]:
    """(kind, url, language) from a line's wording alone."""
    source = cues.SOURCE.match(text)
    if source:
        return Kind.SOURCE, source.group("url"), None
    n = len(words(text))
    if cues.COMMENTS.match(text) or cues.VIEWS.match(text) or cues.AD_SLOT.match(text) or \
            cues.AD_WORD.match(text) or cues.RELATED.match(text) or cues.TAGS.match(text) or \
            cues.SHARE.match(text) or cues.READ_ALSO.match(text) or cues.GALLERY.match(text):
        return Kind.BOILERPLATE, None, None
    if (n <= 40 and cues.COOKIES.search(text) and (n <= 6 or cues.COOKIE_BANNER.search(text))) \
            or (n <= 30 and cues.SIGN_UP.match(text)):
        return Kind.BOILERPLATE, None, None
    for lang, pattern in cues.EMPTY_WIDGET.items():
        if pattern.match(text):
            return Kind.BOILERPLATE, None, lang
    if cues.CAPTION_LABEL.match(text) or (n <= 10 and cues.CREDIT.match(text) and (
            n <= 6 or all(_NAME_TOKEN.match(t) or t in JOINERS for t in words(text)[1:]))):
        return Kind.CREDIT, None, None
    if cues.PHOTO_CREDIT.search(text) and n > 1 and not _photo_credit_only(text):
        return Kind.CAPTION, None, None
    if n <= 12 and cues.SITE_BANNER.match(text):
        return Kind.BOILERPLATE, None, None
    if n <= 8 and cues.BYLINE.match(text) and not _SENTENCE_END.search(text) and (
            n <= 6 or is_name_line(text.split(None, 1)[1])):
        return Kind.BYLINE, None, None
    date = cues.DATE.search(text)
    if date and date.start() > 0 and text[date.start() - 1].isalpha():
        return Kind.BYLINE, None, None  # a scraped author box: "Báo Tin TứcBáo Tin Tức18/09/2025"
    if n <= 16 and not text.endswith(".") and cues.PUBLISHED.match(text):
        return Kind.DATELINE, None, None  # "Publisert 14. mars 2025 kl. 08.12 · Oppdatert ..."
    if n <= 10 and not text.endswith(".") and (
            cues.TIME.match(text) or
            (date and n <= 8 and not _SENTENCE_END.search(text)) or  # "Báo Tin Tức 29/10/2025"
            (cues.MONTH_DATE.search(text) and _only_a_place_besides_the_date(text))):
        return Kind.DATELINE, None, None
    return None, None, None


def _only_a_place_besides_the_date(text: str) -> bool:
    """'HANOI, 14 kwietnia 2025' is a dateline; 'Neue Verwaltungsstruktur ab 1. Juli' is not."""
    rest = cues.MONTH_DATE.sub(" ", cues.DATE.sub(" ", text))
    rest_words = [w for w in re.split(r"[\s,./()–:-]+", rest) if w and not w.isdigit()]
    return len(rest_words) <= 2 and all(w[:1].isupper() for w in rest_words)


def _photo_credit_only(text: str) -> bool:
    """'(Foto: VNA)' alone, or a credit at the end of a caption? Only the first is a credit."""
    return bool(cues.CREDIT.match(text.strip("() ")))


def _ends_with_name(text: str) -> bool:
    tokens = words(text)
    return len(tokens) >= 3 and all(_NAME_TOKEN.match(t) for t in tokens[-2:])


def label_lines(lines: tuple[tuple[int, str], ...], lang: str,
                model: line_model.LineModel | None = None) -> LabelledArticle:
    """Label every line of an article written (mostly) in ``lang``.

    The rules below give a first label; the shipped model (or ``model``) then weighs it with
    evidence that holds on any layout (``line_features``) and may move a line between kinds,
    to a kept kind only when the evidence is strong.
    """
    texts = [text for _, text in lines]
    cued = [_cue(text) for text in texts]
    kinds = rule_kinds(texts, lang, cued)
    decided = kinds
    # The model's evidence (function-word shares above all) means something only in the
    # languages it was trained on; elsewhere the rules decide (a one-word Arabic article
    # is not a menu).
    if lang in line_features.stopwords():
        rows = line_features.article_features(texts, lang, kinds,
                                              [kind is not None for kind, _, _ in cued])
        decided = (model or line_model.shipped()).decide(rows, kinds)
    labelled = tuple(
        LabelledLine(number, text, kind, url, cue_lang)
        for (number, text), kind, (_, url, cue_lang) in zip(lines, decided, cued, strict=True))
    return _with_metadata(labelled)


def rule_kinds(texts: list[str], lang: str,
               cued: list[tuple[Kind | None, str | None, str | None]] | None = None
               ) -> list[Kind]:
    """The rules' label for each line: wording cues first, then layout."""
    cued = cued if cued is not None else [_cue(text) for text in texts]
    kinds: list[Kind | None] = [kind for kind, _, _ in cued]
    long_after = _long_line_after(texts)

    stop = line_features.stopwords().get(lang)
    shapes = [line_features.shape(text, stop) for text in texts] if stop else None
    footer = _footer_start(kinds, texts, long_after)
    in_navigation = False
    for i, text in enumerate(texts):
        if cues.RELATED.match(text):
            in_navigation = True
        elif len(words(text)) >= LONG_LINE_WORDS or _FULL_STOP.search(text):
            in_navigation = False  # article text again: related headlines have no full stop
        elif in_navigation and kinds[i] is None:
            kinds[i] = Kind.BOILERPLATE
        if footer is not None and i > footer and kinds[i] is None:
            kinds[i] = Kind.BYLINE if is_name_line(text) else Kind.BOILERPLATE
    _buttons_after_furniture(kinds, texts)
    _section_kicker(kinds, texts, long_after)
    title = page_layout(kinds, texts, shapes) if shapes is not None else None

    caption_words = cues.CAPTION_WORDS.get(lang)
    first_content = next((i for i, k in enumerate(kinds) if k is None), None)
    for i, text in enumerate(texts):
        if kinds[i] is not None:
            continue
        n = len(words(text))
        after_caption_label = i > 0 and bool(cues.CAPTION_LABEL.match(texts[i - 1]))
        before_credit = i + 1 < len(texts) and kinds[i + 1] == Kind.CREDIT and \
            not cues.CAPTION_LABEL.match(texts[i + 1])
        if title is None and i == first_content and 3 <= n <= 30 and not _TITLE_END.search(text) \
                and long_after[i]:
            kinds[i], title = Kind.TITLE, i
        elif after_caption_label or (before_credit and n <= MAX_CAPTION_WORDS):
            kinds[i] = Kind.CAPTION
        elif is_name_line(text) and (not long_after[i] or i == 0 or _near_header(kinds, i,
                                                                                title)):
            kinds[i] = Kind.BYLINE
        elif i != first_content and n <= 20 and _single_sentence(text) and (
                (caption_words is not None and caption_words.search(text))
                or (not _SENTENCE_END.search(text) and _ends_with_name(text) and n <= 12)):
            kinds[i] = Kind.CAPTION
        else:
            kinds[i] = Kind.BODY
    return [kind or Kind.BODY for kind in kinds]


#: A caption before a credit is at most this long (a longer line there is article text).
MAX_CAPTION_WORDS = 40
#: A headline may ask or exclaim, but does not end like a sentence.
_TITLE_END = re.compile(r"[.:;]$")
#: At most this many words make a section name over a headline ("Politik", "NA ŻYWO").
KICKER_WORDS = 2


def _buttons_after_furniture(kinds: list[Kind | None], texts: list[str]) -> None:
    """A short bare line right after a cookie banner or sign-up line is its button."""
    for i in range(1, len(texts)):
        if kinds[i] is None and kinds[i - 1] == Kind.BOILERPLATE and \
                (cues.COOKIES.search(texts[i - 1]) or cues.SIGN_UP.match(texts[i - 1])) and \
                len(words(texts[i])) <= 4 and not _SENTENCE_END.search(texts[i]):
            kinds[i] = Kind.BOILERPLATE


def _section_kicker(kinds: list[Kind | None], texts: list[str], long_after: list[bool]) -> None:
    """The section name over a headline ("Politik", "NA ŻYWO") is page furniture."""
    first = next((i for i, k in enumerate(kinds) if k is None), None)
    if first is None:
        return
    following = next((i for i in range(first + 1, len(texts)) if kinds[i] is None), None)
    if len(words(texts[first])) <= KICKER_WORDS and not _SENTENCE_END.search(texts[first]) \
            and following is not None and 3 <= len(words(texts[following])) <= 30 and \
            not _TITLE_END.search(texts[following]) and long_after[following] and \
            not is_name_line(texts[first]):
        kinds[first] = Kind.BOILERPLATE


def _near_header(kinds: list[Kind | None], i: int, title: int | None) -> bool:
    """Whether line ``i`` sits in the article's header: just after the title or a dateline."""
    return (title is not None and i - title <= 2) or \
        any(0 <= j < len(kinds) and kinds[j] == Kind.DATELINE for j in (i - 1, i + 1))


def _long_line_after(texts: list[str]) -> list[bool]:
    """For each line, whether any later line is long (so the article text goes on)."""
    result = [False] * len(texts)
    seen = False
    for i in range(len(texts) - 1, -1, -1):
        result[i] = seen
        seen = seen or len(words(texts[i])) >= LONG_LINE_WORDS
    return result


def _footer_start(kinds: list[Kind | None], texts: list[str], long_after: list[bool]
                  ) -> int | None:
    """Where the page footer starts, if it does.

    That is the first end-of-article marker (source line, comment counter) that comes after
    article text and has none after it; everything after it is page furniture.
    """
    text_before = False
    for i, kind in enumerate(kinds):
        marker = kind == Kind.SOURCE or cues.COMMENTS.match(texts[i])
        if marker and text_before and not long_after[i]:
            return i
        text_before = text_before or len(words(texts[i])) >= LONG_LINE_WORDS
    return None


def _single_sentence(text: str) -> bool:
    inner = text.rstrip(".!?… ")
    return not re.search(r"[.!?…]\s+[A-ZÀ-ÞА-ЯЁ]", inner)


def _with_metadata(lines: tuple[LabelledLine, ...]) -> LabelledArticle:
    source_url = next((line.url for line in lines if line.kind == Kind.SOURCE and line.url),
                      None)
    byline = next((_byline_name(line.text) for line in lines if line.kind == Kind.BYLINE), None)
    date = next((found for kind in (Kind.DATELINE, Kind.BYLINE) for line in lines
                 if line.kind == kind and (found := parse_date(line.text))), None)
    return LabelledArticle(lines, source_url, site_of(source_url), byline, date)


def _byline_name(text: str) -> str:
    """The name in a byline, without a date glued on or a name repeated.

    'Báo Tin TứcBáo Tin Tức29/10/2025' (a scraped author box) is 'Báo Tin Tức'.
    """
    name = cues.DATE.sub("", text).strip()
    half = len(name) // 2
    return name[:half] if len(name) % 2 == 0 and name[:half] == name[half:] else name


def parse_date(text: str) -> str | None:
    """The first day-month-year (or ISO) date in a line, as ``YYYY-MM-DD``.

    Months may be named (``14 kwietnia 2025``, ``12. Juni 2025``); a date without a year
    (``HUE, 29. oktober``) is not one we can place.
    """
    match = cues.DATE.search(text)
    if not match:
        named = cues.MONTH_DATE.search(text)
        if not named or not named["year"]:
            return None
        year, month, day = (int(named["year"]), cues.MONTH_NUMBERS[named["month"].lower()],
                            int(named["day"]))
        return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= day <= 31 else None
    if match.group("Y"):
        year, month, day = int(match["Y"]), int(match["M"]), int(match["D"])
    else:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def site_of(url: str | None) -> str | None:
    """The site's domain, without ``www.``."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None
