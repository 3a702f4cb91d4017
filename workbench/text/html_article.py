"""An article's lines from a parsed page and the paragraphs trafilatura found in it.

trafilatura finds most of a news article's text; the page's structure says the rest. This
module picks the headline among the page's headings (not a ``<noscript>`` notice or the
site's logo), places each figure caption after the paragraph before it, adds the lead and
the paragraphs of the article's own container that trafilatura dropped, and keeps out what
stands before the headline, repeats the article (a teaser ``<div>`` holding the same text as
the ``<p>``s) or belongs to a noscript notice, a form or the reader comments.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from workbench.records import Kind
from workbench.text import html_zones as zones

Lines = list[tuple[Kind | None, str]]
#: A lead paragraph has at least this many words and ends like a sentence.
LEAD_MIN_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?…»\"”)]$")
_BLOCKS = {"p", "div", "section", "span", "li", "blockquote", "h2", "h3", "h4"}
#: Scan at most this many elements after the headline for a lead paragraph.
MAX_LEAD_SCAN = 300
#: Containers of page parts around the article's text: never its lead or its paragraphs.
_AROUND = frozenset({"nav", "aside", "footer", "figure", "figcaption", "header",
                     *zones.HIDDEN_TAGS})
#: Share of words a heading and a declared title (og:title, <title>) must share (Dice).
HEADLINE_MATCH = 0.6
#: Paragraphs are found inside a longer one by their first this many characters.
REPEAT_PREFIX = 12
#: A paragraph whose links hold at least this share of its text is a link, not article text.
MAX_LINK_SHARE = 0.5
#: A caption: its element's tag and whole text, its text without credits, and its credits.
Caption = tuple[str, str, str, list[str]]
_CAPTION_CLASS = re.compile(r"(?:^|[\s_-])(?:caption|caption-text|bildtext|bildetekst"
                            r"|bildunterschrift|podpis|подпись|wp-caption-text|image-text)"
                            r"(?:$|[\s_-])", re.IGNORECASE)
#: class words of the line under a headline that names the author and the time.
_BYLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:byline|meta|author|timestamp|published)"
                           r"(?:$|[\s_-])", re.IGNORECASE)


def element_text(element: Any) -> str:
    """An element's whole text, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join(" ".join(element.itertext()).split())


def article_lines(tree: Any, paragraphs: list[str], title: str | None, headline: Any
                  ) -> tuple[Lines, list[Any]]:
    """The article's lines (kind None: label it) and the page's comment sections.

    ``paragraphs`` are trafilatura's, in order; ``headline`` the element ``title`` came from.
    """
    captions = find_captions(tree)
    caption_keys = {zones.key(part) for _, whole, text, credits in captions
                    for part in (whole, text, *credits)}
    links = {element_text(a) for a in tree.xpath("//a")}  # one link alone is a menu item
    paragraphs = [p for p in paragraphs if p != title and p not in links
                  and zones.key(p) not in caption_keys]
    located = _locate(tree, paragraphs)
    first = next((located[zones.key(p)][0][1] for p in paragraphs if zones.key(p) in located),
                 None)
    sections = zones.comment_sections(tree, [e for e in (headline, first) if e is not None])
    paragraphs = _without_hidden(tree, sections, paragraphs)
    if headline is not None:
        start = next((n for n, e in enumerate(e for e in tree.iter() if isinstance(e.tag, str))
                      if e is headline), 0)
        paragraphs = [p for p in paragraphs
                      if max((n for n, _ in located.get(zones.key(p), [(start, None)])),
                             default=start) >= start]
    paragraphs = _completed(paragraphs, located, sections, caption_keys)
    paragraphs = _leads(headline, paragraphs, caption_keys, sections) + paragraphs
    paragraphs = _without_repeats(paragraphs, title)
    lines: Lines = [(Kind.TITLE, title)] if title else []
    if paragraphs:
        lines += _with_credits(_with_captions(tree, paragraphs, captions))
    return lines, sections


def _locate(tree: Any, paragraphs: list[str]) -> dict[str, list[tuple[int, Any]]]:
    """Where each paragraph stands: (order, element) of each element of exactly its text."""
    wanted = {zones.key(p) for p in paragraphs}
    found: dict[str, list[tuple[int, Any]]] = {}
    longest = max(map(len, paragraphs), default=0)
    for order, element, text in element_texts(tree, longest):
        k = zones.key(text)
        if k in wanted:
            found.setdefault(k, []).append((order, element))
    return found


def _completed(paragraphs: list[str], located: dict[str, list[tuple[int, Any]]],
               sections: list[Any], captions: set[str]) -> list[str]:
    """The paragraphs, with the ``<p>``s of their container that trafilatura dropped.

    The container is the element that holds most of the found ``<p>``s; its other ``<p>``s
    (not links, captions, asides or comments) join in document order.
    """
    parents: dict[Any, int] = {}
    for p in paragraphs:
        for _, element in located.get(zones.key(p), [])[-1:]:
            if element.tag == "p" and element.getparent() is not None:
                parents[element.getparent()] = parents.get(element.getparent(), 0) + 1
    if not parents or max(parents.values()) < 2:
        return paragraphs
    container = max(parents, key=lambda e: parents[e])
    known = {zones.key(p): n for n, p in enumerate(paragraphs)}
    extra: dict[int, list[str]] = {}
    last = -1
    for element in container.iter("p"):
        text = element_text(element)
        k = zones.key(text)
        if k in known:
            last = max(last, known[k])
            continue
        if not text or k in captions or _linked_share(element) >= MAX_LINK_SHARE or any(
                a.tag in _AROUND or any(a is s for s in sections)
                for a in itertools.takewhile(lambda a: a is not container,
                                             element.iterancestors())):
            continue
        extra.setdefault(last, []).append(text)
        known[k] = last
    result = extra.get(-1, [])
    for n, paragraph in enumerate(paragraphs):
        result += [paragraph, *extra.get(n, [])]
    return result


def _linked_share(element: Any) -> float:
    linked = sum(len(zones.key(element_text(a))) for a in element.iter("a"))
    return linked / max(1, len(zones.key(element_text(element))))


def _without_hidden(tree: Any, sections: list[Any], paragraphs: list[str]) -> list[str]:
    """Paragraphs that are not the text of a noscript notice, a form or a comment section."""
    hidden = [e for e in tree.iter("noscript", "form")
              if not e.xpath("ancestor::noscript|ancestor::form")]
    keys = {zones.key(line) for part in [*hidden, *sections]
            for line in zones.section_lines(part)}
    return [p for p in paragraphs if zones.key(p) not in keys]


def find_headline(tree: Any, titles: list[str | None]) -> Any:
    """The ``<h1>`` (or ``<h2>``) that is the article's headline, or None.

    A page may hold several: a ``<noscript>`` notice, the site's logo, a video player's.
    The headline is the one that best matches a title the page declares (``og:title``,
    ``<title>``); without declared titles, the first shown ``<h1>``.
    """
    declared = [set(_title_words(t)) for t in titles if t and t.strip()]
    best, best_score = None, 0.0
    shown = [h for h in tree.xpath("//h1|//h2") if not zones.in_hidden(h) and element_text(h)]
    for element in shown:
        words = set(_title_words(element_text(element)))
        score = max((2 * len(words & d) / (len(words) + len(d)) for d in declared), default=0.0)
        if element.tag == "h2":
            score -= 0.1  # an h1 that matches as well wins
        if score > best_score:
            best, best_score = element, score
    if best_score >= HEADLINE_MATCH:
        return best
    if declared:
        return None
    return next((h for h in shown if h.tag == "h1"), None)


def _title_words(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").lower()) or [""]


def _leads(headline: Any, paragraphs: list[str], captions: set[str],
           sections: list[Any]) -> list[str]:
    """Sentence-like blocks between the headline and the first extracted paragraph.

    Only text of the block itself counts (not of links or nested blocks), so menus, share
    bars and bylines never qualify. The scan stops at the block holding the first paragraph;
    if it never reaches it, nothing is a lead (what follows could be anything: the article
    again, its comments).
    """
    if headline is None or not paragraphs:
        return []
    first = zones.key(paragraphs[0])
    leads: list[str] = []
    for element in headline.xpath(f"following::*[position() <= {MAX_LEAD_SCAN}]"):
        full = element_text(element)
        if first in zones.key(full):
            return leads
        if element.tag not in _BLOCKS or any(
                a.tag in _AROUND - {"header"} or any(a is s for s in sections)
                for a in itertools.chain([element], element.iterancestors())):
            continue
        own = " ".join(" ".join([element.text or "", *(child.tail or "" for child in element
                                                      if child.tag not in _BLOCKS)]).split())
        if own == full and len(own.split()) >= LEAD_MIN_WORDS and _SENTENCE_END.search(own) \
                and own not in leads and own not in paragraphs \
                and zones.key(own) not in captions:
            leads.append(own)
    return []


def find_captions(tree: Any) -> list[Caption]:
    """(tag, whole text, caption text, credits) of each figure caption, in page order.

    A caption is a ``<figcaption>`` or a block whose class says caption; credits are split off
    it (a credit element, or "Foto: ..." closing it) so that they are kept, not translated.
    """
    found: list[Caption] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag != "figcaption" and (
                element.tag in ("html", "body", "figure", "img", "article", "main")
                or not _CAPTION_CLASS.search(element.get("class", ""))
                or element.xpath("ancestor::figcaption|.//figcaption")
                or any(_CAPTION_CLASS.search(a.get("class", "")) for a in element.iterancestors())):
            continue
        whole = element_text(element)
        if whole and not zones.in_hidden(element):
            text, credits = zones.caption_parts(element)
            found.append((element.tag, whole, text, credits))
    return found


def _without_repeats(paragraphs: list[str], title: str | None) -> list[str]:
    """Each paragraph once: no copy, no join of others, no pull quote opening a longer one.

    Pages repeat the article: the text in a ``<div>`` and again in ``<p>``s, a teaser of
    the lead, a quotation set large. Sending it twice wastes the model and the reviewer's time.
    """
    for test in (_joins_others, _opens_another):  # joins first: a join opens its first part
        keys = [zones.key(p) for p in paragraphs]
        by_start: dict[str, list[int]] = {}
        for n, k in enumerate(keys):
            if len(k) >= REPEAT_PREFIX:
                by_start.setdefault(k[:REPEAT_PREFIX], []).append(n)
        kept, seen = [], {zones.key(title or "")}
        for n, (paragraph, k) in enumerate(zip(paragraphs, keys, strict=True)):
            if k not in seen and not test(n, keys, by_start):
                seen.add(k)
                kept.append(paragraph)
        paragraphs = kept
    return paragraphs


def _joins_others(n: int, keys: list[str], by_start: dict[str, list[int]]) -> bool:
    """Whether paragraph ``n`` is two or more other paragraphs run together (linear walk)."""
    k, at, pieces = keys[n], 0, 0
    while at < len(k):
        piece = next((j for j in by_start.get(k[at:at + REPEAT_PREFIX], [])
                      if j != n and len(keys[j]) < len(k) and k.startswith(keys[j], at)), None)
        if piece is None:
            break
        at, pieces = at + len(keys[piece]), pieces + 1
    return pieces >= 2 and at >= 0.8 * len(k)


def _opens_another(n: int, keys: list[str], by_start: dict[str, list[int]]) -> bool:
    """Whether paragraph ``n`` is the start of a longer one (a pull quote, a teaser)."""
    k = keys[n]
    return len(k) >= REPEAT_PREFIX and any(
        len(keys[j]) > len(k) and keys[j].startswith(k) for j in by_start[k[:REPEAT_PREFIX]])


def _with_credits(lines: Lines) -> Lines:
    """Body lines with a photo credit closing them split in two; a credit alone is a credit."""
    result: Lines = []
    for kind, text in lines:
        if kind is not None:
            result.append((kind, text))
            continue
        rest, credit = zones.split_credit(text)
        result += [(None, rest)] if rest else []
        result += [(Kind.CREDIT, credit)] if credit else []
    return result


def _with_captions(tree: Any, paragraphs: list[str], captions: list[Caption]) -> Lines:
    """Paragraphs in order; each caption, then its credits, after the paragraph before it.

    A paragraph whose element's class names the author line (byline, meta) is a byline.
    """
    after: dict[int, list[int]] = {}
    position = -1
    remaining: dict[str, int] = {}
    for n, paragraph in enumerate(paragraphs):
        remaining.setdefault(paragraph, n)  # a repeated paragraph is placed at its first
    wanted: dict[tuple[str, str], list[int]] = {}
    for n, (tag, whole, _, _) in enumerate(captions):
        wanted.setdefault((tag, whole), []).append(n)
    bylines: set[int] = set()
    longest = max(map(len, [*paragraphs, *(whole for _, whole in wanted)]), default=0)
    for _, element, text in element_texts(tree, longest):
        if wanted.get((element.tag, text)):
            after.setdefault(position, []).append(wanted[element.tag, text].pop(0))
        elif text in remaining:
            position = remaining.pop(text)
            if _BYLINE_CLASS.search(element.get("class", "")):
                bylines.add(position)
    placed = {c for group in after.values() for c in group}
    after.setdefault(len(paragraphs) - 1, []).extend(
        n for n in range(len(captions)) if n not in placed)
    lines: Lines = _caption_lines(captions, after.get(-1, []))
    for n, paragraph in enumerate(paragraphs):
        lines.append((Kind.BYLINE if n in bylines else None, paragraph))
        lines += _caption_lines(captions, after.get(n, []))
    return lines


def _caption_lines(captions: list[Caption], numbers: list[int]) -> Lines:
    lines: Lines = []
    for n in numbers:
        _, _, text, credits = captions[n]
        lines += [(Kind.CAPTION, text)] if text else []
        lines += [(Kind.CREDIT, credit) for credit in credits]
    return lines


def element_texts(tree: Any, limit: int) -> Iterator[tuple[int, Any, str]]:
    """(order, element, ``element_text``) in document order, for elements of <= limit chars.

    Time is linear in the page. Each element's text is built from its children's, bottom-up
    (``element_text`` of every element reads its whole subtree: quadratic on nested blocks);
    an element whose text grows past ``limit`` is dropped, and so is every element around it.
    """
    found: list[tuple[int, Any, str]] = []
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
            found.append((number, element, text))
        if stack:
            parent_words = stack[-1][2]
            if parent_words is not None:
                if text is None:
                    stack[-1] = (*stack[-1][:2], None, stack[-1][3])
                else:
                    parent_words.extend(_words(text))
                    parent_words.extend(_words(element.tail))
    found.sort(key=lambda item: item[0])
    return iter(found)


def _words(text: str | None) -> list[str]:
    return text.split() if text else []
