"""Label each line of an article (title, body, caption, source, boilerplate...).

Labels come from wording and layout. Nothing is dropped: a labelled line keeps its text and
becomes a record whose ``kind`` says what it is, so reviewers can see what was set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from workbench.records import Kind

_SOURCE_WORDS = r"(?:Kilde|Källa|Kilde|Źródło|Zrodlo|Quelle|Источник|Source|Nguồn|Kälde)"
_SOURCE_RE = re.compile(rf"^{_SOURCE_WORDS}\s*[:：]?\s*(?P<url>https?://\S+)?\s*$", re.IGNORECASE)
_URL_RE = re.compile(r"https?://[^\s<>\"]+")
_COMMENTS_RE = re.compile(
    r"^(?:Kommentar(?:er)?|Komentarz(?:e|y)?|Kommentare?|Комментари[йяи]|Comments?|Bình luận)"
    r"\s*\(\s*\d+\s*\)$", re.IGNORECASE)
_AD_SLOT_RE = re.compile(
    r"^\[(?:Anzeige|Annonse|Annons|Reklama|Реклама|Ad|Advertisement)[_ ]?\d*\]$",
                         re.IGNORECASE)
_NO_DATA_RE = re.compile(r"^(?:No data|Ingen data|Brak danych|Keine Daten|Нет данных)$",
                         re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LabelledLine:
    """A normalized line, its kind, and any metadata it carries."""

    number: int
    text: str
    kind: Kind
    url: str | None = None


def label_line(number: int, text: str) -> LabelledLine:
    """Label one line from its wording alone."""
    source = _SOURCE_RE.match(text)
    if source:
        return LabelledLine(number, text, Kind.SOURCE, source.group("url"))
    if _COMMENTS_RE.match(text) or _AD_SLOT_RE.match(text) or _NO_DATA_RE.match(text):
        return LabelledLine(number, text, Kind.BOILERPLATE)
    return LabelledLine(number, text, Kind.BODY)


def label_lines(lines: tuple[tuple[int, str], ...]) -> list[LabelledLine]:
    """Label every line of an article."""
    return [label_line(number, text) for number, text in lines]


def site_of(url: str | None) -> str | None:
    """The site's domain, without ``www.``."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def find_url(text: str) -> str | None:
    """The first URL in a line, if any."""
    match = _URL_RE.search(text)
    return match.group(0) if match else None
