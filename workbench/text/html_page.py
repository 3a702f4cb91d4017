"""A saved news page: its article's text and metadata, without the page around it.

trafilatura finds the main text and the metadata (title, author, date, site). We add what it
leaves out on news sites: the headline (``<h1>``) as the title, ``<figcaption>`` texts as
captions placed after the paragraph they follow, the lead paragraph many sites put in a
``<div>`` between headline and body (``sapo``), and the canonical URL before ``og:url``
(which often carries tracking parameters). The page chrome (menus, cookie banners, share
bars, related links, tags, sidebars, footers) is left out, and its size counted in
``removed_chars``: see the README for the measurements behind that choice.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.records import Kind
from workbench.text.parts import ArticleParts

HTML_SUFFIXES = (".html", ".htm")
# trafilatura and htmldate log what they cannot parse; our one-line error says it instead.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)
#: A lead paragraph has at least this many words and ends like a sentence.
LEAD_MIN_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?…»\"”)]$")
_BLOCKS = {"p", "div", "section", "span", "li", "blockquote", "h2", "h3", "h4"}
_HTML_START = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)


def looks_like_html(data: bytes) -> bool:
    """Whether bytes are an HTML page (for standard input, which has no file name)."""
    return _HTML_START.match(data[:4096]) is not None


def extract_page(path: Path, data: bytes) -> ArticleParts:
    """The article of a page: headline, paragraphs and captions in order, and metadata.

    Raises:
        InputError: not an HTML page, or no article text could be found in it.
    """
    import trafilatura

    data = _TEMPLATE.sub(b" ", _without_controls(data))
    tree = trafilatura.load_html(data)
    if tree is None:
        raise InputError(path, "not an HTML page (nothing to parse)")
    document = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                           include_tables=True, include_images=False)
    found: dict[str, Any] = {}
    if document is not None:
        found = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    title = _text(_first(tree.xpath("//h1"))) or (found.get("title") or "").strip() or None
    paragraphs = [p for p in (" ".join(line.split()) for line in
                              (found.get("text") or "").splitlines()) if p and p != title]
    captions = [c for c in (_text(e) for e in tree.xpath("//figcaption")) if c]
    links = {_text(a) for a in tree.xpath("//a")}  # a paragraph that is one link is a menu item
    shown_captions = set(captions)
    paragraphs = [p for p in paragraphs if p not in shown_captions and p not in links]
    paragraphs = _leads(tree, title, paragraphs) + paragraphs
    if not paragraphs:
        raise InputError(path, _why_no_text(tree))
    lines: list[tuple[Kind | None, str]] = [(Kind.TITLE, title)] if title else []
    lines += _with_captions(tree, paragraphs, captions)
    page = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    page_chars = len(" ".join(" ".join(page).split()))
    kept_chars = sum(len(text) for _, text in lines)
    return ArticleParts(
        lines=lines, source_url=_canonical(tree) or found.get("url"),
        site=_meta(tree, "og:site_name") or found.get("sitename") or found.get("hostname"),
        date=_published(tree) or found.get("date"), byline=found.get("author") or None,
        removed_chars=max(0, page_chars - kept_chars))


#: Character references to C0 controls (``&#11;`` is the line break Word leaves), and raw
#: control bytes: no HTML text holds them, and one makes the extractor drop the article.
_CONTROL_REFERENCE = re.compile(
    rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|127)|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]));?")
_CONTROL_BYTE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: ``<template>`` holds markup for scripts to clone later (cards, comment forms): never shown,
#: never the article.
_TEMPLATE = re.compile(rb"<template\b.*?</template\s*>", re.IGNORECASE | re.DOTALL)
#: libxml2 reads an HTML page no deeper than this; what lies below is lost.
MAX_PARSED_DEPTH = 255


def _without_controls(data: bytes) -> bytes:
    """The page with control characters (raw or as references) turned into spaces."""
    if b"&#" in data:
        data = _CONTROL_REFERENCE.sub(b" ", data)
    return _CONTROL_BYTE.sub(b" ", data)


def _why_no_text(tree: Any) -> str:
    """The one-line reason a page gave no article text, naming the cause we can tell."""
    depth, stack = 0, [(tree.getroot() if hasattr(tree, "getroot") else tree, 1)]
    while stack:
        element, level = stack.pop()
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in element)
    if depth >= MAX_PARSED_DEPTH:
        return (f"no article text found: the page nests its elements {MAX_PARSED_DEPTH} "
                "levels deep or more, and the HTML parser reads no deeper")
    return ("no article text found in this page (no paragraph of running text: an index, "
            "gallery or video page?)")


def _first(elements: list) -> Any:
    return elements[0] if elements else None


def _text(element: Any) -> str:
    if element is None:
        return ""
    return " ".join(" ".join(element.itertext()).split())


def _element_texts(tree: Any, limit: int) -> Iterator[tuple[str, str]]:
    """(tag, ``_text(element)``) in document order, for elements with at most ``limit`` chars.

    Time is linear in the page. Each element's text is built from its children's, bottom-up
    (``_text`` of every element reads its whole subtree: quadratic on nested blocks); an
    element whose text grows past ``limit`` is dropped, and so is every element around it.
    """
    found: list[tuple[int, str, str]] = []
    order = 0
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    # Each frame: element, its children still to visit, the words so far (None: too long).
    stack: list[tuple[Any, Iterator[Any], list[str] | None, int]] = []

    def enter(element: Any) -> None:
        nonlocal order
        stack.append((element, iter(element), _words(element.text), order))
        order += 1

    enter(root)
    while stack:
        element, children, words, number = stack[-1]
        child = next(children, None)
        if child is not None:
            if isinstance(child.tag, str):
                enter(child)
            elif words is not None:  # a comment or processing instruction: only its tail
                words.extend(_words(child.tail))
            continue
        stack.pop()
        text = " ".join(words) if words is not None else None
        if text is not None and len(text) > limit:
            text = None
        if text is not None:
            found.append((number, element.tag, text))
        if stack:
            parent_words = stack[-1][2]
            if parent_words is not None:
                if text is None:
                    stack[-1] = (*stack[-1][:2], None, stack[-1][3])
                else:
                    parent_words.extend(_words(text))
                    parent_words.extend(_words(element.tail))
    found.sort()
    return ((tag, text) for _, tag, text in found)


def _words(text: str | None) -> list[str]:
    return text.split() if text else []


def _meta(tree: Any, name: str) -> str | None:
    for attribute in ("property", "name", "itemprop"):
        values = tree.xpath(f"//meta[@{attribute}=$name]/@content", name=name)
        if values and values[0].strip():
            return values[0].strip()
    return None


def _canonical(tree: Any) -> str | None:
    for href in tree.xpath("//link[@rel='canonical']/@href"):
        if href.strip().startswith(("http://", "https://")):
            return href.strip()
    return _meta(tree, "og:url")


def _published(tree: Any) -> str | None:
    """The publication time the page declares, in ISO 8601 (``article:published_time``)."""
    declared = (_meta(tree, name) for name in ("article:published_time", "datePublished",
                                               "pubdate", "date"))
    for value in itertools.chain(declared, tree.xpath("//time/@datetime")):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).isoformat()
        except (AttributeError, ValueError):  # absent, or not ISO 8601
            continue
    return None


def _leads(tree: Any, title: str | None, paragraphs: list[str]) -> list[str]:
    """Sentence-like blocks between the headline and the first extracted paragraph.

    Only text of the block itself counts (not of links or nested blocks), so menus, share
    bars and bylines never qualify.
    """
    headline = _first(tree.xpath("//h1"))
    if headline is None or not paragraphs:
        return []
    leads: list[str] = []
    started = False
    for element in tree.iter():
        if element is headline:
            started = True
            continue
        if not started or not isinstance(element.tag, str):
            continue
        own = " ".join(" ".join([element.text or "", *(child.tail or "" for child in element
                                                      if child.tag not in _BLOCKS)]).split())
        full = _text(element)
        if full == paragraphs[0] or own == paragraphs[0]:
            break
        if element.tag in _BLOCKS and own == full and len(own.split()) >= LEAD_MIN_WORDS \
                and _SENTENCE_END.search(own) and own not in leads and own not in paragraphs:
            leads.append(own)
    return leads


def _with_captions(tree: Any, paragraphs: list[str], captions: list[str]
                   ) -> list[tuple[Kind | None, str]]:
    """Paragraphs in order, each caption after the last paragraph before its figure."""
    after: dict[int, list[str]] = {}
    position = -1
    remaining: dict[str, int] = {}
    for n, paragraph in enumerate(paragraphs):
        remaining.setdefault(paragraph, n)  # a repeated paragraph is placed at its first
    wanted = set(captions)
    longest = max(map(len, [*paragraphs, *captions]), default=0)
    for tag, text in _element_texts(tree, longest):
        if tag == "figcaption":
            if text in wanted:
                after.setdefault(position, []).append(text)
        elif text in remaining:
            position = remaining.pop(text)
    lines: list[tuple[Kind | None, str]] = [(Kind.CAPTION, c) for c in after.get(-1, [])]
    for n, paragraph in enumerate(paragraphs):
        lines.append((None, paragraph))
        lines += [(Kind.CAPTION, c) for c in after.get(n, [])]
    placed = {c for group in after.values() for c in group}
    lines += [(Kind.CAPTION, c) for c in captions if c not in placed]
    return lines
