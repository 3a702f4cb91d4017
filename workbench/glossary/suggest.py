"""Glossary candidates mined from a run: recurring names and titles the glossary lacks.

A candidate is a capitalised sequence of two or more words in Latin or Cyrillic script, or a
title word that stands before names (``Finanzminister Nguyen Van Thang``). Spans the current
glossary matches are cut out first, so nothing it covers is proposed. Two passes over the
run's records: the first learns which words are ordinary (seen in lower case, or capitalised
only at a sentence start, like ``Die`` or ``Enligt``) and which sequences stand alone; the
second collects candidates, grouping inflected forms with the matcher's own rules
(``Pham Minh Chinh``, ``Pham Minh Chinha`` and ``Pham Minh Chinhem`` are one candidate), and
notes how the model rendered each occurrence in English, so inconsistencies stand out.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.glossary.lemmas import BlobStore, lemma_matcher
from workbench.glossary.match import Matcher, fold, token_match
from workbench.glossary.store import Glossary
from workbench.outputs.run_folder import read_records
from workbench.records import TRANSLATED_KINDS, Record, Status
from workbench.text.words import WORD

_SENTENCE_BREAK = re.compile(r"[.!?:;–—\"«»„“(]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]")
_CYRILLIC = re.compile(r"[Ѐ-ӿ]")
#: A title word must be at least this long (no prepositions: von, med, z...).
MIN_TITLE_LETTERS = 5
#: ... and stand before a name in at least this share of its occurrences.
TITLE_SHARE = 0.5
_CYRILLIC_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                           ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l",
                            "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch",
                            "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


@dataclass
class Candidate:
    """A proposed glossary term and the evidence for it."""

    source: str
    type: str  # person (only name-like words), body (ordinary words in it) or title
    forms: Counter[str] = field(default_factory=Counter)
    languages: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    english: Counter[str] = field(default_factory=Counter)
    example: Record | None = None

    @property
    def occurrences(self) -> int:
        """How many times any form occurs."""
        return sum(self.forms.values())

    def to_dict(self) -> dict:
        """The ``--json`` form."""
        example = self.example
        return {
            "source": self.source, "type": self.type,
            "forms": [f for f, _ in self.forms.most_common()],
            "languages": sorted(self.languages), "articles": len(self.articles),
            "occurrences": self.occurrences, "article_ids": sorted(self.articles),
            "english": [{"text": t, "count": n} for t, n in self.english.most_common()],
            "example": None if example is None else {
                "article": example.article, "index": example.index, "src": example.src,
                "tgt": example.tgt},
        }


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    start: int
    end: int
    initial: bool  # first word of a sentence


def suggest(records: Callable[[], Iterable[Record]], glossary: Glossary,
            matchers: Callable[[str], Matcher] | None = None, min_articles: int = 1,
            min_occurrences: int = 2) -> list[Candidate]:
    """Candidates, most widespread first (articles, then occurrences).

    ``records`` is called twice (two streaming passes); ``matchers`` gives each language's
    glossary matcher (built from ``glossary`` when not given).
    """
    built: dict[str, Matcher] = {}

    def matcher(lang: str) -> Matcher:
        if lang not in built:
            built[lang] = matchers(lang) if matchers else Matcher(glossary, lang)
        return built[lang]

    lower: dict[str, set[str]] = defaultdict(set)  # per language: words seen in lower case
    inner: dict[str, set[str]] = defaultdict(set)  # capitalised words seen mid-sentence
    alone: set[tuple[str, ...]] = set()  # sequences seen with nothing capitalised before
    for record, words in _segments(records(), matcher):
        for piece in words:
            for word in piece:
                if word.text[0].islower():
                    lower[record.src_lang].add(fold(word.text))
                elif not word.initial:
                    inner[record.src_lang].add(fold(word.text))
            for sequence in _capitalised(piece):
                alone.add(tuple(fold(w.text) for w in sequence))

    names: dict[tuple[str, tuple[str, ...]], list[tuple[Record, list[_Word]]]] = \
        defaultdict(list)
    bodies: dict[tuple[str, tuple[str, ...]], list[tuple[Record, list[_Word]]]] = \
        defaultdict(list)
    before: dict[tuple[str, str], list[tuple[Record, list[_Word]]]] = defaultdict(list)
    seen: Counter[tuple[str, str]] = Counter()
    for record, words in _segments(records(), matcher):
        lang = record.src_lang
        for piece in words:
            for word in piece:
                seen[lang, fold(word.text)] += 1
            for sequence in _capitalised(piece):
                if sequence[0].initial and _ordinary(sequence[0], lang, lower, inner):
                    sequence = sequence[1:]
                title = None
                while len(sequence) >= 3 and tuple(fold(w.text) for w in sequence[1:]) in alone:
                    title, sequence = sequence[0], sequence[1:]
                if len(sequence) < 2:
                    continue
                key = tuple(fold(w.text) for w in sequence)
                named = not any(w in lower[lang] for w in key)
                (names if named else bodies)[lang, key].append((record, sequence))
                previous = title or _word_before(piece, sequence[0])
                if named and previous is not None and not (previous.initial and _ordinary(
                        previous, lang, lower, inner)):
                    before[lang, fold(previous.text)].append((record, [previous]))
    candidates = _group(names, "person") + _group(bodies, "body") + _group(
        {(lang, (word,)): hits for (lang, word), hits in before.items()
         if len(word) >= MIN_TITLE_LETTERS and len(hits) >= TITLE_SHARE * seen[lang, word]},
        "title")
    kept = [c for c in candidates
            if len(c.articles) >= min_articles and c.occurrences >= min_occurrences]
    return sorted(kept, key=lambda c: (-len(c.articles), -c.occurrences, c.source))


def suggest_run(out_dir: Path, glossary: Glossary, store: BlobStore | None = None,
                min_articles: int = 1, min_occurrences: int = 2) -> list[Candidate]:
    """Candidates from a run folder's ``records.jsonl`` (read twice, streamed)."""
    def matcher(lang: str) -> Matcher:
        return lemma_matcher(glossary, lang, store)[0]

    return suggest(lambda: read_records(out_dir), glossary, matcher, min_articles,
                   min_occurrences)


def add_command(candidate: Candidate) -> str:
    """The ``workbench glossary add`` line that would add a candidate.

    The English is the model's most common rendering, else the form itself (Latin) or a
    transliteration (Cyrillic): a guess to check. A Latin name gets one ``latin=`` form
    (every Latin-script language); anything else a form per language it was found in.
    """
    rendered = [t for t, _ in candidate.english.most_common() if t]
    target = rendered[0] if rendered else candidate.source if _script(candidate.source) \
        == "latin" else _latin(candidate.source).title()
    if candidate.type == "person" and _script(candidate.source) == "latin":
        forms = [f"latin={candidate.source}"]
    else:
        forms = [f"{lang}={candidate.source}" for lang in sorted(candidate.languages)]
    kind = {"person": "person", "body": "body", "title": "title"}[candidate.type]
    return shlex.join(["workbench", "glossary", "add", target, "--type", kind,
                       *[part for form in forms for part in ("--form", form)]])


def _segments(records: Iterable[Record], matcher: Callable[[str], Matcher]
              ) -> Iterable[tuple[Record, list[list[_Word]]]]:
    """Each translatable record's words, in pieces the glossary's matches cut apart."""
    for record in records:
        if record.kind not in TRANSLATED_KINDS or record.status is Status.KEPT:
            continue
        text = record.src
        covered = [(m.start, m.end) for m in matcher(record.src_lang).find(text)]
        pieces: list[list[_Word]] = [[]]
        previous_end = 0
        for m in WORD.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in covered):
                pieces.append([])
                previous_end = m.end()
                continue
            gap = text[previous_end:m.start()]
            initial = (previous_end == 0 and not gap.strip()) or bool(_SENTENCE_BREAK.search(gap))
            if (initial or "," in gap) and pieces[-1]:  # a name never spans a comma
                pieces.append([])
            pieces[-1].append(_Word(m.group(0), m.start(), m.end(), initial))
            previous_end = m.end()
        yield record, [p for p in pieces if p]


def _capitalised(piece: list[_Word]) -> Iterable[list[_Word]]:
    """Runs of two or more capitalised Latin or Cyrillic words with only spaces between."""
    run: list[_Word] = []
    for word in piece:
        if word.text[0].isupper() and _script(word.text) and (
                not run or _script(word.text) == _script(run[-1].text)):
            run.append(word)
            continue
        if len(run) >= 2:
            yield run
        run = [word] if word.text[0].isupper() and _script(word.text) else []
    if len(run) >= 2:
        yield run


def _script(word: str) -> str | None:
    if _CYRILLIC.match(word):
        return "cyrillic"
    return "latin" if _LATIN.match(word) else None


def _ordinary(word: _Word, lang: str, lower: dict[str, set[str]],
              inner: dict[str, set[str]]) -> bool:
    """A sentence-initial word that is ordinary: seen in lower case, or only ever first."""
    folded = fold(word.text)
    return folded in lower[lang] or folded not in inner[lang]


def _word_before(piece: list[_Word], first: _Word) -> _Word | None:
    index = piece.index(first)
    return piece[index - 1] if index > 0 else None


def _group(found: dict[tuple[str, tuple[str, ...]], list[tuple[Record, list[_Word]]]],
           kind: str) -> list[Candidate]:
    """Merge forms into candidates.

    Inflected forms (same length, every word matching by the matcher's rules) and identical
    forms across languages are one candidate.
    """
    keys = sorted(found, key=lambda k: (-len(found[k]), k))
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_shape: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, (_, words) in enumerate(keys):
        by_shape[len(words), words[0][:2]].append(i)
    for members in by_shape.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                (la, wa), (lb, wb) = keys[a], keys[b]
                if wa == wb or (la == lb and all(token_match(x, y, la) for x, y in
                                                 zip(wa, wb, strict=True))):
                    parent[root(b)] = root(a)
    groups: dict[int, Candidate] = {}
    for i, key in enumerate(keys):
        candidate = groups.get(root(i))
        for record, words in found[key]:
            surface = record.src[words[0].start:words[-1].end]
            if candidate is None:
                candidate = groups[root(i)] = Candidate(surface, kind)
            candidate.forms[surface] += 1
            candidate.languages.add(record.src_lang)
            candidate.articles.add(record.article)
            candidate.english[_rendering(surface, record.tgt)] += 1
            if candidate.example is None:
                candidate.example = record
    for candidate in groups.values():
        # The base form is usually the shortest (nominative: Тханг, not Тханга).
        candidate.source = min(candidate.forms, key=lambda f: (len(f), -candidate.forms[f], f))
    return list(groups.values())


def _rendering(surface: str, english: str | None) -> str:
    """The words of the English most like the source form ("" when none is close)."""
    if not english:
        return ""
    wanted = _latin(surface)
    words = english.split()
    size = len(surface.split())
    best, score = "", 0.0
    for n in {max(1, size - 1), size, size + 1}:
        for i in range(len(words) - n + 1):
            window = " ".join(words[i:i + n]).strip(".,;:!?\"'()«»„“")
            ratio = difflib.SequenceMatcher(None, wanted, _latin(window)).ratio()
            if ratio > score:
                best, score = window, ratio
    return best if score >= 0.6 else ""


def _latin(text: str) -> str:
    """Folded, with Cyrillic letters written in Latin, to compare names across scripts."""
    return "".join(_CYRILLIC_LATIN.get(c, c) for c in fold(text))
