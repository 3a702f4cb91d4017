"""A saved news page: its article's text and metadata, without the page around it.

trafilatura finds the main text and the metadata (title, author, date, site); ``html_article``
adds what it leaves out on news sites (the headline, captions, the lead, dropped paragraphs)
and keeps out what is not the article (``html_zones``: noscript notices, forms, comments).
We take the canonical URL before ``og:url`` (which often carries tracking parameters). Reader
comments are kept as boilerplate lines after the article and photo credits as credit lines:
kept, not translated. The page chrome (menus, cookie banners, share bars, related links,
tags, sidebars, footers, forms) is left out, and its size counted in ``removed_chars``: see
the README for the measurements behind that choice.
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
from workbench.text import html_article as article
from workbench.text import html_zones as zones
from workbench.text.parts import ArticleParts

HTML_SUFFIXES = (".html", ".htm")
# trafilatura and htmldate log what they cannot parse; our one-line error says it instead.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)
#: A comment section is kept when one of its lines has this many words (a comment, not a
#: counter such as "3 Kommentare").
COMMENT_MIN_WORDS = 6
_HTML_START = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)


def looks_like_html(data: bytes) -> bool:
    """Whether bytes are an HTML page (for standard input, which has no file name)."""
    return _HTML_START.match(data[:4096]) is not None


def extract_page(path: Path, data: bytes) -> ArticleParts:
    """The article of a page: headline, paragraphs and captions in order, and metadata.

    Photo credits come out as credit lines (kept, not translated), reader comments as
    boilerplate lines after the article; ``<noscript>`` notices and forms are left out.

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
    headline = article.find_headline(tree, [
        _meta(tree, "og:title"), _meta(tree, "twitter:title"), found.get("title"),
        _text(_first(tree.xpath("//title")))])
    title = _text(headline) if headline is not None else \
        (_meta(tree, "og:title") or found.get("title") or "").strip() or None
    paragraphs = [p for p in (" ".join(line.split()) for line in
                              (found.get("text") or "").splitlines()) if p]
    lines, sections = article.article_lines(tree, paragraphs, title, headline)
    if not any(kind is None for kind, _ in lines):
        raise InputError(path, _why_no_text(tree))
    for section in sections:
        kept = zones.section_lines(section)
        if any(len(text.split()) >= COMMENT_MIN_WORDS for text in kept):
            lines += [(Kind.BOILERPLATE, text) for text in kept]
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


_text = article.element_text


def _element_texts(tree: Any, limit: int) -> Iterator[tuple[str, str]]:
    """(tag, text) of every element with at most ``limit`` chars, in document order."""
    return ((element.tag, text) for _, element, text in article.element_texts(tree, limit))


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
