"""Unseen Vietnamese names, found in a run's sources and protected like glossary terms.

A name is a run of two to four capitalised words that are Vietnamese syllables
(:mod:`workbench.glossary.vietnamese`), the last one perhaps with a case ending (Polish
``Chinha``, ``Chinhowi``, ``Longiem``; German and Nordic genitive ``Giangs``), or the same in
Russian transcription (``Фам Минь Тиня``), or one Russian word that cuts into syllables
(``в Куангнине``). Shape alone is not enough (``Hun Sen``, ``Li Xi``, ``Im Mai`` are all
syllables), so each needs evidence:

- a person starts with a Vietnamese family name (:data:`FAMILY_NAMES`); in Russian a
  two-word one also needs a title before it or its Latin spelling elsewhere in the run;
- a place has a locative word before it (``i``, ``w``, ``in``, ``в``, ``provinsen``,
  ``провинции``) or a province word after its hyphen (``Quang Ninh-provinsen``);
- a name accepted once is accepted wherever it recurs in the run.

A sentence's first word is dropped when it is an ordinary word (a function word, or a word
the run has in lower case: ``Po``, ``Na``, ``Laut``), abbreviations (``VNA``, ``АСЕАН``)
break runs, and spans the curated glossary matches are cut out first: curated entries win.

English forms: a Latin name is its nominative as written (case ending removed), the most
common spelling of the run. A Russian name takes the Latin spelling the run has for it
elsewhere (``Нгуен Ти Зунг`` -> ``Nguyen Chi Dung``); otherwise each syllable is read back by
the transcription rules, ties broken by the glossary's own Latin/Cyrillic pairs, and a tie
that stays is kept as an alternative and said (``Тинь``: Tinh or Chinh).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from workbench.glossary.match import AUTO_FILE, Match, Matcher, fold
from workbench.glossary.names import cyrillic_english, cyrillic_nominative, reading_table
from workbench.glossary.store import Glossary, Term
from workbench.glossary.vietnamese import cyrillic_segmentations, is_syllable, latin_readings

#: Vietnamese family names (folded); the first word of a person's name.
FAMILY_NAMES = frozenset("""
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly luong dao dinh doan trinh
truong lam mai cao ha lai luu ta thai trieu tong chu kieu quach tieu khuat khong nong lo ma mac
nghiem ong phung quan thach thieu ton tu ung vuong vi diep dam giap han hau kha khuong kim la
lieu luc ninh phi phuong tang thang dong to trieu hua lang nham chau au bach
""".split())  # noqa: SIM905
#: Words before a name that make it a place (folded).
LOCATIVES = frozenset("""
i fra til ved till fran vid provinsen provinsene staden byen in aus nach provinz stadt w we do
prowincji prowincja prowincje miasta miescie в во из до провинции провинция провинцию провинций
город города городе
""".split())  # noqa: SIM905
#: Words a hyphen joins to a place (``Quang Ninh-provinsen``).
PLACE_SUFFIXES = frozenset("""
provinsen provinsens provins byen staden provinz region
""".split())  # noqa: SIM905
#: Capitalised function words that begin sentences and look like syllables.
ORDINARY = frozenset("""
han hun den det de men vi om nu na da ti to ten ta tu te po do na im in am an um man mit der die
dem von on он она по на это но и в с о у а
""".split())  # noqa: SIM905
#: Title and comrade words that make a two-word Russian name a person (prefixes, folded).
TITLE_HINTS = ("минист", "премьер", "президент", "товарищ", "секретар", "вице", "председат",
               "директор", "генерал", "посол", "губернатор")
#: Names shaped like Vietnamese syllables that are not unseen names to protect.
NOT_NAMES = frozenset({("viet", "nam"), ("вьетнам",), ("меконг",), ("me", "kong"),
                       ("тайвань",)})
#: Letters only Vietnamese names have in Russian; a one-word place without them (``Китай``,
#: ``Куба``, ``Токио`` cut into syllables too) needs its Latin spelling in the run.
_TRANSCRIBED = re.compile("нг|нь|тх|кх|ы|ье|зя|шо")
#: Case endings a name's last word may carry, per language (longest first).
ENDINGS: dict[str, tuple[str, ...]] = {
    "pl": ("owi", "iem", "em", "ie", "a", "u"), "de": ("s",), "nb": ("s",), "sv": ("s",),
    "da": ("s",), "nn": ("s",), "no": ("s",)}
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE = re.compile(r"[.!?:;–—\"«»„“(]")
_VIETNAMESE_LETTERS = re.compile(
    "[a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]+")
_CYRILLIC = re.compile("[а-яё]+")


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    initial: bool  # first word of a sentence
    nominative: str  # folded, case ending removed ("" when the word is no name syllable)
    ending: bool  # the nominative needed a case ending removed


@dataclass(frozen=True, slots=True)
class _Run:
    tokens: tuple[_Token, ...]
    before: str  # folded word right before the run ("" at a sentence start)
    after: str  # folded word a hyphen joins to the last token
    cyrillic: bool

    def key(self, i: int = 0, j: int | None = None) -> tuple[str, ...]:
        return tuple(t.nominative for t in self.tokens[i:j])


@dataclass(frozen=True)
class AutoName:
    """One unseen name: its English, kind, forms per language and why it was taken."""

    english: str
    kind: str  # person or place
    forms: dict[str, Counter[str]]
    evidence: str
    alternatives: tuple[str, ...] = ()  # other English readings when one stays ambiguous
    term: Term = field(default=None, repr=False)  # type: ignore[assignment]

    @property
    def occurrences(self) -> int:
        """How many times the run has it."""
        return sum(sum(c.values()) for c in self.forms.values())


@dataclass
class AutoNames:
    """The run's unseen names, ready to merge into each segment's glossary matches."""

    names: list[AutoName]
    _keys: dict[tuple[str, tuple[str, ...]], AutoName]
    _glossary: Glossary

    @property
    def terms(self) -> tuple[Term, ...]:
        """Provisional glossary terms (``Term.file`` is :data:`AUTO_FILE`)."""
        return tuple(name.term for name in self.names)

    def find(self, text: str, lang: str, curated: Sequence[Match] = ()) -> list[Match]:
        """A segment's matches: ``curated`` plus the unseen names no curated match overlaps."""
        script = "cyrillic" if lang == "ru" else "latin"
        auto: list[Match] = []
        if self._keys:
            for run in _runs(text, lang, [(m.start, m.end) for m in curated]):
                if run.cyrillic == (script == "cyrillic"):
                    auto += self._matches(run, text, script)
        return with_auto(curated, auto)

    def _matches(self, run: _Run, text: str, script: str) -> list[Match]:
        found: list[Match] = []
        i, size = 0, len(run.tokens)
        while i < size:
            for j in range(size, i, -1):
                name = self._keys.get((script, run.key(i, j)))
                if name is not None and (j - i > 1 or run.cyrillic):
                    start, end = run.tokens[i].start, run.tokens[j - 1].end
                    how = "inflected" if run.tokens[j - 1].ending else "exact"
                    found.append(Match(name.term, start, end, text[start:end], how,
                                       name.term.target))
                    i = j
                    break
            else:
                i += 1
        return found


def with_auto(curated: Sequence[Match], auto: Sequence[Match]) -> list[Match]:
    """Curated matches and the automatic ones none of them overlaps, in text order."""
    kept = [a for a in auto if all(a.end <= c.start or a.start >= c.end for c in curated)]
    return sorted([*curated, *kept], key=lambda m: m.start)


def is_auto(term: Term) -> bool:
    """Whether a term is a provisional one made here."""
    return term.file == AUTO_FILE


def auto_terms(texts_by_lang: Mapping[str, Iterable[str]], glossary: Glossary) -> AutoNames:
    """The unseen Vietnamese names of a run's source texts (one call per run).

    Arguments:
        texts_by_lang: each source language's segment texts (read twice, so held).
        glossary: the curated glossary; what it matches is never an automatic name.

    Example:
        >>> names = auto_terms({"pl": ["Premier Pham Minh Chinh otworzył most."]}, Glossary())
        >>> [m.target for m in names.find("Według Pham Minh Chinha", "pl")]
        ['Pham Minh Chinh']
    """
    texts = {lang: list(items) for lang, items in texts_by_lang.items()}
    lower: dict[str, set[str]] = {lang: {fold(w) for t in items for w in _WORD.findall(t)
                                         if w[0].islower()} for lang, items in texts.items()}
    curated = {lang: Matcher(glossary, lang) for lang in texts}
    taken: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}  # -> (kind, evidence)
    runs: list[tuple[str, _Run]] = []
    for lang, items in texts.items():
        for text in items:
            spans = [(m.start, m.end) for m in curated[lang].find(text)]
            for run in _runs(text, lang, spans):
                runs.append((lang, run))
                for key, kind, why in _candidates(run, lower[lang]):
                    script = "cyrillic" if run.cyrillic else "latin"
                    if key not in NOT_NAMES and taken.get((script, key), ("", "needs a twin")
                                                          )[1] == "needs a twin":
                        taken[script, key] = (kind, why)
    latin_keys = [k for s, k in taken if s == "latin"]
    for (script, key), (kind, why) in list(taken.items()):  # two-word Russian: twin or title
        if script == "cyrillic" and why == "needs a twin":
            if _twin(key, latin_keys) is None:
                del taken[script, key]
            else:
                taken[script, key] = (kind, "its Latin spelling is in the run")
    forms: dict[tuple[str, tuple[str, ...]], dict[str, Counter[str]]] = {}
    written: dict[tuple[str, ...], Counter[str]] = {}  # Latin key -> nominatives as written
    for lang, run in runs:
        script = "cyrillic" if run.cyrillic else "latin"
        for i, j in _windows(run, lambda k, s=script: (s, k) in taken):
            surface = " ".join(t.text for t in run.tokens[i:j])
            forms.setdefault((script, run.key(i, j)), {}).setdefault(
                lang, Counter())[surface] += 1
            if script == "latin":
                nominative = " ".join(t.text[:len(t.nominative)] for t in run.tokens[i:j])
                written.setdefault(run.key(i, j), Counter())[nominative] += 1
    return _build(taken, forms, written, glossary)


def _build(taken: dict[tuple[str, tuple[str, ...]], tuple[str, str]],
           forms: dict[tuple[str, tuple[str, ...]], dict[str, Counter[str]]],
           written: dict[tuple[str, ...], Counter[str]], glossary: Glossary) -> AutoNames:
    latin = {key: max(c, key=lambda f: (c[f], f.isascii(), f)) for key, c in written.items()}
    table = reading_table(glossary)
    by_english: dict[str, tuple[str, str, list[tuple[str, tuple[str, ...]]], tuple[str, ...]]] = {}
    for (script, key), (kind, why) in taken.items():
        if (script, key) not in forms:
            continue
        alternatives: tuple[str, ...] = ()
        if script == "latin":
            english = latin[key]
        else:
            twin = _twin(key, list(latin))
            if twin is not None:
                english, why = latin[twin], f"{why}; Latin spelling from the run"
            else:
                english, alternatives = cyrillic_english(_syllables(key), table)
        entry = by_english.setdefault(english.casefold(), (english, kind, [], alternatives))
        entry[2].append((script, key))
        if why not in entry[1]:
            by_english[english.casefold()] = (english, kind if entry[1] == kind else entry[1],
                                              entry[2], entry[3])
    names: list[AutoName] = []
    keys: dict[tuple[str, tuple[str, ...]], AutoName] = {}
    for english, kind, members, alternatives in by_english.values():
        merged: dict[str, Counter[str]] = {}
        for member in members:
            for lang, counter in forms[member].items():
                merged.setdefault(lang, Counter()).update(counter)
        kind = kind if kind in ("person", "place") else "person"
        evidence = "; ".join(dict.fromkeys(taken[m][1] for m in members))
        note = f"automatic ({evidence})" + (
            f"; ambiguous, also {' or '.join(alternatives)}" if alternatives else "")
        term = Term(target=english, type=kind, note=note, file=AUTO_FILE,
                    forms={lang: tuple(c) for lang, c in sorted(merged.items())})
        name = AutoName(english, kind, merged, evidence, alternatives, term)
        names.append(name)
        keys.update({member: name for member in members})
    names.sort(key=lambda n: (-n.occurrences, n.english))
    return AutoNames(names, keys, glossary)


def _syllables(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each word's syllables: a one-word Russian place cut (``куангнинь`` -> куанг, нинь)."""
    if len(key) == 1:
        cuts = cyrillic_segmentations(key[0])
        return [(s,) for s in cuts[0]] if cuts else [key]
    return [(w,) for w in key]


def _twin(key: tuple[str, ...], latin_keys: Iterable[tuple[str, ...]]
          ) -> tuple[str, ...] | None:
    """The run's Latin name that a Cyrillic one transcribes, if any."""
    cuts = [key] if len(key) > 1 else cyrillic_segmentations(key[0])
    for latin in latin_keys:
        for cut in cuts:
            if len(cut) == len(latin) and all(
                    word in latin_readings(c) for c, word in zip(cut, latin, strict=True)):
                return latin
    return None


def _windows(run: _Run, accepted) -> Iterable[tuple[int, int]]:
    """Longest accepted spans of a run, left to right."""
    i, size = 0, len(run.tokens)
    while i < size:
        for j in range(size, i, -1):
            if (j - i > 1 or run.cyrillic) and accepted(run.key(i, j)):
                yield i, j
                i = j
                break
        else:
            i += 1


def _candidates(run: _Run, lower: set[str]) -> Iterable[tuple[tuple[str, ...], str, str]]:
    """``(key, kind, evidence)`` of the names a run holds, by the module's rules."""
    tokens = run.tokens
    first = tokens[0]
    if first.initial and (fold(first.text) in ORDINARY or fold(first.text) in lower) \
            and len(tokens) > 1:
        rest = _Run(tokens[1:], fold(first.text), run.after, run.cyrillic)
        found = list(_judge(rest))
        if found and found[0][1] == "person":
            yield from found
            return
        whole = list(_judge(run)) if len(tokens) >= 3 and not any(  # Do Van Chien
            fold(t.text) in ORDINARY or fold(t.text) in lower for t in tokens[1:]) else []
        yield from whole or found
        return
    yield from _judge(run)


def _judge(run: _Run) -> Iterable[tuple[tuple[str, ...], str, str]]:
    tokens = run.tokens
    place = run.before in LOCATIVES or run.after in PLACE_SUFFIXES
    where = f"after '{run.before}'" if run.before in LOCATIVES else f"-{run.after}"
    if run.cyrillic and len(tokens) == 1:
        word = tokens[0].nominative
        if place and not tokens[0].initial and cyrillic_segmentations(word):
            yield run.key(), "place", where if _TRANSCRIBED.search(word) else "needs a twin"
        return
    if not 2 <= len(tokens) <= 4:
        if len(tokens) > 4:  # two names side by side: cut before each family name
            cuts = [i for i in range(1, len(tokens)) if _family(tokens[i], run.cyrillic)]
            for a, b in zip([0, *cuts], [*cuts, len(tokens)], strict=True):
                yield from _judge(_Run(tokens[a:b], run.before if a == 0 else "",
                                       run.after if b == len(tokens) else "", run.cyrillic))
        return
    if _family(tokens[0], run.cyrillic) and run.after not in PLACE_SUFFIXES:
        if not run.cyrillic or len(tokens) >= 3 or run.before.startswith(TITLE_HINTS):
            yield run.key(), "person", f"family name {tokens[0].text}"
        else:
            yield run.key(), "person", "needs a twin"
    elif place:
        yield run.key(), "place", where


def _family(token: _Token, cyrillic: bool) -> bool:
    if cyrillic:
        return any(r in FAMILY_NAMES for r in latin_readings(token.nominative))
    return token.nominative in FAMILY_NAMES


def _runs(text: str, lang: str, curated: Sequence[tuple[int, int]]) -> list[_Run]:
    """Runs of capitalised name syllables, split by anything but one space."""
    runs: list[_Run] = []
    tokens: list[_Token] = []
    previous_end, before, last_word = 0, "", ""
    words = list(_WORD.finditer(text))
    for n, m in enumerate(words):
        gap = text[previous_end:m.start()]
        initial = (previous_end == 0 and not gap.strip()) or bool(_SENTENCE.search(gap))
        token = _token(m, lang, initial, curated)
        if tokens and (token is None or gap != " " or tokens[-1].ending
                       or _is_cyrillic(token.text) != _is_cyrillic(tokens[-1].text)):
            after = words[n].group(0).casefold() if gap == "-" else ""
            runs.append(_Run(tuple(tokens), before, fold(after),
                             _is_cyrillic(tokens[0].text)))
            tokens = []
        if token is not None:
            if not tokens:
                before = "" if initial else last_word
            tokens.append(token)
        last_word = fold(m.group(0))
        previous_end = m.end()
    if tokens:
        runs.append(_Run(tuple(tokens), before, "", _is_cyrillic(tokens[0].text)))
    return runs


def _is_cyrillic(word: str) -> bool:
    return "а" <= word[:1].lower() <= "я" or word[:1] in "ёЁ"


def _token(m: re.Match[str], lang: str, initial: bool,
           curated: Sequence[tuple[int, int]]) -> _Token | None:
    """A capitalised word as a name syllable (its nominative), or None."""
    word = m.group(0)
    if not word[0].isupper() or (len(word) > 1 and word.isupper()) or len(word) > 9 or any(
            s < m.end() and m.start() < e for s, e in curated):
        return None
    lowered = word.lower()
    if _CYRILLIC.fullmatch(lowered):
        nominative, ending = cyrillic_nominative(lowered)
    elif _VIETNAMESE_LETTERS.fullmatch(lowered):
        folded = fold(word)
        nominative, ending = (folded, False) if is_syllable(folded) else ("", False)
        for end in () if nominative else ENDINGS.get(lang, ()):
            if folded.endswith(end) and is_syllable(folded[:-len(end)]):
                nominative, ending = folded[:-len(end)], True
                break
    else:
        return None
    if not nominative:
        return None
    return _Token(word, m.start(), m.end(), initial, nominative, ending)
