"""Parts of a news page that are not the article, and photo credits inside the article.

A page carries text that is never its article: ``<noscript>`` notices ("Javascript är
avstängt"), forms (comment and sign-up forms, their labels and buttons) and reader comments.
Photo credits ("Foto: SVT", "(Fot. PAP)", a ``<span class="credit">``) sit inside captions and
paragraphs but are names, not text to translate. This module finds both from the page's
structure (tags, and class or id words every language's sites use), not from one site's
strings, so that ``html_page`` can keep the article's text apart from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: Elements whose text is never article text: shown only without scripts, or user input.
HIDDEN_TAGS = ("noscript", "template", "form", "button", "select", "textarea", "label",
               "input", "option", "script", "style")
#: class/id words of a reader-comment section, in the languages we read.
_COMMENT_WORDS = re.compile(
    r"(?:^|[\s_-])(?:comments?|comment-?list|kommentar(?:er|ene|e)?|leserkommentare|"
    r"komentarz[ey]?|комментари[ийя]|comments?-(?:section|area|wrap|block)|disqus(?:_thread)?"
    r"|respond|talkback|debate?)(?:$|[\s_-])", re.IGNORECASE)
_CONTAINERS = ("div", "section", "aside", "ol", "ul", "details", "footer")
#: class/id words of a photo credit element inside a caption.
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|fotograf|byline|source|author"
                           r"|rights|agency", re.IGNORECASE)
_CREDIT_WORD = r"(?:Foto|Fotó|Fot\.|Photo|Bild|Bilde|Billede|Zdjęcie|Фото|Kuva|Ảnh|©)"
#: A line that is only a credit: "Foto: SVT", "(Fot. PAP/EPA)", "Фото: РИА Новости"; one
#: that ends in a full stop is a sentence ("Bild: Die Lage ist ernst, sagte er.").
_CREDIT_ONLY = re.compile(
    rf"^\(?\s*{_CREDIT_WORD}\s*:?\s*[^\s.!?()][^.!?()]{{0,70}}\)?$", re.IGNORECASE)
#: A credit closing a caption or a paragraph, after the end of a sentence or in brackets.
_TRAILING_CREDIT = re.compile(
    rf"(?:(?<=[.!?…»”\"])\s+|\s*(?=\())(\(?\s*{_CREDIT_WORD}\s*:?\s*[^\s.!?()][^.!?()]{{0,70}}"
    r"\)?)$", re.IGNORECASE)


def is_credit(text: str) -> bool:
    """Whether a line is a photo credit and nothing else ("Foto: SVT", "(Foto: VNA)")."""
    return _CREDIT_ONLY.match(text) is not None and len(text.split()) <= 10


def split_credit(text: str) -> tuple[str, str | None]:
    """A caption or paragraph without the photo credit that closes it, and that credit.

    Example:
        ``split_credit("Badhuset byggdes 1968. (Foto: Karin Ek)")`` is
        ``("Badhuset byggdes 1968.", "(Foto: Karin Ek)")``.
    """
    if is_credit(text):
        return "", text
    match = _TRAILING_CREDIT.search(text)
    if match is None or not match.string[:match.start()].strip():
        return text, None
    return text[:match.start()].rstrip(), match.group(1).strip()


def caption_parts(element: Any) -> tuple[str, list[str]]:
    """A caption element's text and its credits: a credit element's, or a closing credit."""
    credits: list[str] = []
    words: list[str] = []
    for piece, is_credit_element in _caption_pieces(element):
        if is_credit_element:
            if piece:
                credits.append(piece)
        else:
            words.append(piece)
    text = " ".join(" ".join(words).split())
    text, closing = split_credit(text)
    return text, ([closing] if closing else []) + credits


def _caption_pieces(element: Any) -> Iterator[tuple[str, bool]]:
    """(text, from a credit element) in document order."""
    yield element.text or "", False
    for child in element:
        if isinstance(child.tag, str) and child.tag not in HIDDEN_TAGS:
            if _CREDIT_CLASS.search(f"{child.get('class', '')} {child.get('id', '')}"):
                yield " ".join(" ".join(child.itertext()).split()), True
            else:
                yield from _caption_pieces(child)
        yield child.tail or "", False


def in_hidden(element: Any) -> bool:
    """Whether an element is, or is inside, one whose text is never shown as article."""
    return any(isinstance(e.tag, str) and e.tag in HIDDEN_TAGS
               for e in element.iterancestors()) or element.tag in HIDDEN_TAGS


def comment_sections(tree: Any, article_marks: list[Any]) -> list[Any]:
    """The page's reader-comment sections, outermost only.

    A section is a container whose class or id names comments; one that holds the headline
    or the article's text (``article_marks``) is the article's wrapper, not its comments.
    """
    found = []
    for element in tree.iter(*_CONTAINERS):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if not _COMMENT_WORDS.search(names):
            continue
        if any(a is element for mark in article_marks for a in mark.iterancestors()) or \
                any(mark is element for mark in article_marks):
            continue
        if any(f in element.iterancestors() for f in found):
            continue
        found.append(element)
    return found


#: Inline elements: their text runs on in the line of the block around them.
_INLINE = frozenset({"a", "span", "b", "strong", "em", "i", "u", "small", "time", "cite", "abbr",
                     "sup", "sub", "mark", "q", "bdi", "font", "img", "br"})


def section_lines(section: Any) -> list[str]:
    """A section's text, one line per block, without forms and buttons.

    A comment's author, date and words each come out as a line; what a reader types into
    (the comment form) and presses does not.
    """
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join(" ".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(element: Any) -> None:
        block = element.tag not in _INLINE
        if block:
            flush()
        current.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str) and child.tag not in HIDDEN_TAGS:
                walk(child)
            elif isinstance(child.tag, str) and child.tag in ("form", "button"):
                flush()
            current.append(child.tail or "")
        if block or element.tag == "br":
            flush()

    walk(section)
    flush()
    return lines


def key(text: str) -> str:
    """Text without whitespace: inline tags make extractors differ on spaces, not words."""
    return "".join(text.split())
