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
from workbench.glossary.names import (
    has_vietnamese_marks,
    is_cyrillic,
    is_vietnamese_name,
    same_name,
)
from workbench.glossary.store import Glossary, Term
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
    #: Each language's forms (a name's Cyrillic spelling beside its Latin one).
    by_lang: dict[str, Counter[str]] = field(default_factory=dict)
    #: The glossary entry this is a new form of (then proposed as a form, not an entry).
    extends: Term | None = None

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
            "extends": None if self.extends is None else self.extends.target,
            "add_command": add_command(self),
        }

    def base_form(self, lang: str) -> str:
        """The shortest form found in a language (the nominative, usually)."""
        forms = self.by_lang.get(lang) or self.forms
        return min(forms, key=lambda f: (len(f), -forms[f], f))


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
    followed: dict[tuple[str, str], set[tuple[str, ...]]] = defaultdict(set)  # names after
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
                # "Verteidigung Do Van Chien": the Vietnamese name at the end is the name.
                cut = next((i for i in range(1, len(sequence) - 1)
                            if is_vietnamese_name([w.text for w in sequence[i:]])), None)
                if cut is not None and not is_vietnamese_name([w.text for w in sequence]):
                    title, sequence = sequence[cut - 1], sequence[cut:]
                if len(sequence) < 2:
                    continue
                key = tuple(fold(w.text) for w in sequence)
                named = not any(w in lower[lang] for w in key)
                (names if named else bodies)[lang, key].append((record, sequence))
                previous = title or _word_before(piece, sequence[0])
                if named and previous is not None and not (previous.initial and _ordinary(
                        previous, lang, lower, inner)):
                    before[lang, fold(previous.text)].append((record, [previous]))
                    followed[lang, fold(previous.text)].add(key)
    people = across_scripts(_group(names, "person"))
    candidates = [*people, *_group(bodies, "body"), *_group(
        {(lang, (word,)): hits for (lang, word), hits in before.items()
         if len(word) >= MIN_TITLE_LETTERS and len(hits) >= TITLE_SHARE * seen[lang, word]
         and len(followed[lang, word]) >= 2}, "title")]
    for candidate in candidates:
        if candidate.type == "person" and not is_vietnamese_name(candidate.source.split()):
            candidate.type = "body"  # "Zentralen Parteibüros": capitalised, but no name
        candidate.extends = _entry_it_varies(candidate, glossary, matcher)
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

    A new form of an existing entry is added to that entry (its English and type). A
    Vietnamese name's English is its Latin spelling, with Vietnamese letters where a source
    kept them (``Phạm Minh Chính``); it gets one ``latin=`` form (every Latin-script
    language) and a form for each Cyrillic language. Anything else: the model's most common
    rendering as a guess to check (else ``ENGLISH``, to fill in), and a form per language.
    """
    forms = {lang: candidate.base_form(lang) for lang in sorted(candidate.languages)}
    latin_forms = [f for f in candidate.forms if not is_cyrillic(f)]
    if candidate.extends is not None:
        target, kind = candidate.extends.target, candidate.extends.type
    elif candidate.type == "person" and latin_forms:
        marked = [f for f in latin_forms if has_vietnamese_marks(f)]
        target = min(marked or latin_forms, key=lambda f: (len(f), -candidate.forms[f], f))
    else:
        # The model's most common rendering; with none, a placeholder: a source form
        # ("Centralnego Biura Partii", a genitive) must not become the English.
        rendered = [t for t, _ in candidate.english.most_common() if t]
        target = rendered[0] if rendered else "ENGLISH"
        kind = candidate.type
    if candidate.extends is None:
        kind = candidate.type
    if kind == "person" and latin_forms:
        plain = min((f for f in latin_forms if not has_vietnamese_marks(f)), default=None,
                    key=lambda f: (len(f), -candidate.forms[f], f))
        shown = [f"latin={plain or candidate.base_form('')}"] + [
            f"{lang}={form}" for lang, form in forms.items() if is_cyrillic(form)]
    else:
        shown = [f"{lang}={form}" for lang, form in forms.items()]
    return shlex.join(["workbench", "glossary", "add", target, "--type", kind,
                       *[part for form in dict.fromkeys(shown) for part in ("--form", form)]])


def across_scripts(people: list[Candidate]) -> list[Candidate]:
    """One candidate per Vietnamese name: its Cyrillic spelling joins its Latin one."""
    latin = [c for c in people if not is_cyrillic(c.source)]
    merged = list(latin)
    for candidate in (c for c in people if is_cyrillic(c.source)):
        twin = next((c for c in latin if same_name(c.source.split(),
                                                   candidate.source.split())), None)
        if twin is None:
            merged.append(candidate)
            continue
        twin.forms.update(candidate.forms)
        twin.languages |= candidate.languages
        twin.articles |= candidate.articles
        twin.english.update(candidate.english)
        for lang, forms in candidate.by_lang.items():
            twin.by_lang.setdefault(lang, Counter()).update(forms)
    return merged


def _entry_it_varies(candidate: Candidate, glossary: Glossary,
                     matcher: Callable[[str], Matcher]) -> Term | None:
    """The glossary entry a candidate is another form of, if any.

    A name: the entry whose Latin or Cyrillic spelling is the same name. Anything else: an
    entry of one of its languages sharing at least two words (by the matcher's inflection
    rules, in any order) that are two thirds of the candidate's ("Vietnamesischen
    Vaterländischen Front" varies "Vaterländische Front Vietnams").
    """
    words = candidate.source.split()
    for term in glossary.terms:
        if candidate.type == "person":
            if term.type == "person" and any(
                    same_name(words, form.split()) for forms in term.forms.values()
                    for form in forms):
                return term
            continue
        for lang in candidate.languages:
            own = candidate.base_form(lang).split()
            for form in term.forms_for(lang, not is_cyrillic(own[0])):
                shared = sum(any(token_match(w, f, lang) for f in form.split()) for w in own)
                if shared >= 2 and shared * 3 >= len(own) * 2:
                    return term
    return None


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
                # A name is inflected by each language's rules: Longiem (pl) is Long (nb).
                langs = {la, lb} if kind == "person" else {la} if la == lb else set()
                if wa == wb or any(all(token_match(x, y, lang) for x, y in
                                       zip(wa, wb, strict=True)) for lang in langs):
                    parent[root(b)] = root(a)
    groups: dict[int, Candidate] = {}
    for i, key in enumerate(keys):
        candidate = groups.get(root(i))
        for record, words in found[key]:
            surface = record.src[words[0].start:words[-1].end]
            if candidate is None:
                candidate = groups[root(i)] = Candidate(surface, kind)
            candidate.forms[surface] += 1
            candidate.by_lang.setdefault(record.src_lang, Counter())[surface] += 1
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


def example_around(text: str, forms: list[str], width: int = 100) -> str:
    """The part of a candidate's example around the first form found in it, ``width`` long."""
    if len(text) <= width:
        return text
    at = min((i for f in forms if (i := text.find(f)) >= 0), default=0)
    start = max(0, min(at - width // 3, len(text) - width))
    clip = text[start:start + width]
    return ("…" if start else "") + clip + ("…" if start + width < len(text) else "")
