"""The whole page's layout, as jusText reads context: where the article is, and the chrome.

A pass over every line after the wording cues: consent banners at the top, the headline and
what stands before it, buttons between the headline and the first prose, runs of short bare
lines (menus, topic lists, share bars), and what follows the article's last block of prose.
It decides from structure and prose-likeness (``line_features.Shape``), never from one
site's strings.
"""

from __future__ import annotations

import re

from workbench.records import Kind
from workbench.text import cues, line_features

_SENTENCE_END = re.compile(r"[.!?…:;»”\"]$")
#: Words that join two names or credits: "Marte Lie og Anders Bakke", "AP / TT".
JOINERS = frozenset({"og", "och", "und", "i", "oraz", "и", "and", "&", "/", ","})
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÞĐА-ЯЁŁŚŻŹĆŃÓ][\w'’.-]*$")


def words(text: str) -> list[str]:
    """Whitespace-separated tokens."""
    return text.split()


def is_name_line(text: str) -> bool:
    """A short line of capitalised words only, like a byline ("Czw Ha", "Phuong Hoa").

    Names are written in title case: a line in capitals ("NA ŻYWO") is a label, not a name.
    """
    tokens = words(text)
    if 5 <= len(tokens) <= 7 and sum(t in JOINERS for t in tokens[1:-1]) == 1:
        return all(_NAME_TOKEN.match(t) or t in JOINERS for t in tokens) and \
            not _SENTENCE_END.search(text)  # two names: "Marte Lie og Anders Bakke"
    return 2 <= len(tokens) <= 4 and all(_NAME_TOKEN.match(t) for t in tokens) \
        and not _SENTENCE_END.search(text) and not all(t.isupper() for t in tokens)


#: A button or menu item has at most this many words ("Logg inn", "Kopiera länk").
BUTTON_WORDS = 3
#: At least this many short bare lines in a row are a menu, a topic list or a share bar.
NAV_RUN = 3
#: Prose lines at most this many lines apart belong to one block of article text.
PROSE_GAP = 6
#: A line that repeats a button's shape but reads as a headline keeps its words: this many.
HEADLINE_WORDS = 4
#: After the article's last prose, a sentence of at least this many words is still the
#: article's ("Noch ein Satz."): a lost sentence costs more than a translated footer line.
SENTENCE_WORDS = 2


def page_layout(kinds: list[Kind | None], texts: list[str],
                 shapes: list[line_features.Shape]) -> int | None:
    """Whole-page structure, as jusText reads context: the headline's place and the chrome.

    Consent banners at the top, everything before the headline (menus, logins, section
    names), buttons between the headline and the first prose, runs of short bare lines
    (menus, topic lists, share bars), and what follows the article's last block of prose
    (related links, footers) are kept; the article's own lines never are: prose, headings
    over prose or over a list, list items, sentences. Returns the headline's index, if found.
    """
    _consent(kinds, texts, shapes)
    title = _headline(kinds, texts, shapes)
    _navigation_runs(kinds, texts, shapes)
    _tail(kinds, texts, shapes)
    return title


def _consent(kinds: list[Kind | None], texts: list[str],
             shapes: list[line_features.Shape]) -> None:
    """A consent banner before the article's first prose, with the buttons under it."""
    n = len(texts)
    first_prose = next((i for i in range(n) if shapes[i].prose and kinds[i] is None
                        and not cues.CONSENT.search(texts[i])), n)
    i = 0
    while i < first_prose:
        if not (shapes[i].words >= 3 and cues.CONSENT.search(texts[i])):
            i += 1
            continue
        j = i
        while j < n and shapes[j].words >= 3 and cues.CONSENT.search(texts[j]):
            j += 1
        if not any(shapes[k].sentence for k in range(i, j)) or (j < n and shapes[j].prose):
            i = j  # a headline about privacy over its article, not a banner
            continue
        for k in range(i, j):
            kinds[k] = kinds[k] or Kind.BOILERPLATE
        k = j
        while k < min(n, j + 4) and shapes[k].bare and shapes[k].words <= HEADLINE_WORDS and \
                not (k + 1 < n and shapes[k + 1].prose):
            kinds[k] = kinds[k] or Kind.BOILERPLATE
            k += 1
        i = k


def _header_line(kinds: list[Kind | None], texts: list[str],
                 shapes: list[line_features.Shape], i: int) -> bool:
    """A line that may stand between a headline and its first prose (a byline, a button)."""
    return kinds[i] is not None or (shapes[i].bare and shapes[i].words <= 5) or \
        is_name_line(texts[i]) or bool(cues.MEDIA_TIME.search(texts[i]))


def _headline(kinds: list[Kind | None], texts: list[str],
              shapes: list[line_features.Shape]) -> int | None:
    """The headline: the longest title-like line before the first prose.

    Only header lines (bylines, datelines, buttons) may stand between it and the prose; what
    stands before it is page chrome.
    """
    n = len(texts)
    first = next((i for i in range(n) if kinds[i] is None and shapes[i].prose), None)
    if first is None:
        return None
    if shapes[first].title_like and not shapes[first].bare:
        # A headline that asks or exclaims reads as prose: the article's prose is under it.
        later = next((i for i in range(first + 1, n) if not _header_line(kinds, texts, shapes, i)),
                     None)
        if later is not None and kinds[later] is None and shapes[later].prose:
            first = later
    best = None
    for i in range(first - 1, -1, -1):
        if kinds[i] is None and shapes[i].title_like and not _button(kinds, shapes, i) and \
                not cues.MEDIA_TIME.search(texts[i]) and \
                (best is None or shapes[i].words >= shapes[best].words):
            best = i
        if not _header_line(kinds, texts, shapes, i):
            break
    if best is None:
        return None
    best = texts.index(texts[best])  # a lead that repeats the headline comes after it
    kinds[best] = Kind.TITLE
    for i in range(best):
        if kinds[i] is None and (shapes[i].words <= BUTTON_WORDS or not shapes[i].title_like):
            kinds[i] = Kind.BOILERPLATE
    second = next((i for i in range(first + 1, min(n, first + PROSE_GAP + 2))
                   if kinds[i] is None and shapes[i].prose), first)
    for i in (*range(best + 1, first), *range(first + 1, second)):
        in_run = kinds[i - 1] == Kind.BOILERPLATE and shapes[i - 1].bare  # "Dela", "Lyssna"
        if kinds[i] is not None or is_name_line(texts[i]) or \
                (_opens_text(kinds, shapes, i) and not in_run):
            continue
        if shapes[i].words == 1 and len(texts[i]) <= 4 and texts[i].isalpha() and \
                (texts[i].isupper() or texts[i].islower()):
            kinds[i] = Kind.BYLINE  # an agency: "dpa", "TT", "PAP"
        elif (shapes[i].bare and shapes[i].words <= BUTTON_WORDS) or \
                cues.MEDIA_TIME.search(texts[i]):
            kinds[i] = Kind.BOILERPLATE  # "Lytt til saken", "Lesetid: 4 min"
    return best


def _button(kinds: list[Kind | None], shapes: list[line_features.Shape], i: int) -> bool:
    """A short line beside another short bare line ("Kopiera länk", "Följ") is a button."""
    return shapes[i].words <= BUTTON_WORDS and any(
        0 <= j < len(shapes) and kinds[j] in (None, Kind.BOILERPLATE) and shapes[j].bare and
        shapes[j].words <= BUTTON_WORDS for j in (i - 1, i + 1))


def _opens_text(kinds: list[Kind | None], shapes: list[line_features.Shape], i: int) -> bool:
    """Whether line ``i`` heads article text: prose or a list item follows it."""
    return i + 1 < len(shapes) and kinds[i + 1] is None and \
        (shapes[i + 1].prose or shapes[i + 1].item)


def _navigation_runs(kinds: list[Kind | None], texts: list[str],
                     shapes: list[line_features.Shape]) -> None:
    """Runs of short bare lines (or kept lines) are menus, topic lists and share bars."""
    n = len(texts)

    def nav(i: int) -> bool:
        return kinds[i] == Kind.BOILERPLATE or shapes[i].menu or \
            (kinds[i] is None and shapes[i].bare and shapes[i].words <= HEADLINE_WORDS
             and (not shapes[i].item or bool(cues.MEDIA_TIME.search(texts[i]))))

    i = 0
    while i < n:
        if not nav(i):
            i += 1
            continue
        j = i
        while j < n and nav(j):
            j += 1
        after_colon = i > 0 and texts[i - 1].endswith(":")  # a list under its lead-in
        if j - i >= NAV_RUN and not after_colon:
            # Its last line, over prose, is the article's heading: after prose, or a headline.
            heading = not shapes[j - 1].menu and _opens_text(kinds, shapes, j - 1) and \
                (shapes[j - 1].title_like or any(s.prose for s in shapes[:i]))
            for k in range(i, j):
                if kinds[k] is None and not is_name_line(texts[k]) and not (
                        k == j - 1 and heading):
                    kinds[k] = Kind.BOILERPLATE
        elif shapes[i].menu and kinds[i] is None:
            for k in range(i, j):
                if shapes[k].menu and kinds[k] is None:
                    kinds[k] = Kind.BOILERPLATE
        i = j


def _tail(kinds: list[Kind | None], texts: list[str],
          shapes: list[line_features.Shape]) -> None:
    """After the article's last block of prose: related links, topic lists, footers."""
    prose = [i for i in range(len(texts)) if kinds[i] is None and shapes[i].prose
             and not cues.COPYRIGHT.search(texts[i])]
    if not prose:
        return
    clusters: list[list[int]] = [[prose[0]]]
    for i in prose[1:]:
        if i - clusters[-1][-1] - 1 <= PROSE_GAP:
            clusters[-1].append(i)
        else:
            clusters.append([i])
    main = max(clusters, key=len)
    end = main[-1]
    footer = [i for cluster in clusters[clusters.index(main) + 1:] if len(cluster) <= 2
              for i in cluster if any(_ends_article(kinds, texts, k) for k in range(end, i))]
    in_list = True  # a fact box right after the last prose: heading, items
    for i in range(end + 1, len(texts)):
        shape = shapes[i]
        if kinds[i] is not None:
            in_list = in_list and kinds[i] != Kind.BOILERPLATE
            continue
        if cues.COPYRIGHT.search(texts[i]) or i in footer:
            kinds[i] = Kind.BOILERPLATE
            in_list = False
        elif shape.prose or (shape.sentence and shape.words >= SENTENCE_WORDS) or \
                is_name_line(texts[i]) or _opens_text(kinds, shapes, i) or \
                (shape.item and in_list and not cues.MEDIA_TIME.search(texts[i])) or \
                (i + 1 < len(texts) and kinds[i + 1] == Kind.CREDIT):
            continue
        else:
            kinds[i] = Kind.BOILERPLATE
            in_list = False


def _ends_article(kinds: list[Kind | None], texts: list[str], i: int) -> bool:
    """A line that closes an article: its source, tags, share bar or comments.

    Not a related block: those stand inside articles too.
    """
    text = texts[i]
    return kinds[i] == Kind.SOURCE or any(pattern.match(text) for pattern in (
        cues.COMMENTS, cues.COMMENT_COUNT, cues.TAGS, cues.SHARE))
