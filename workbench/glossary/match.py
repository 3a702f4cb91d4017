"""Find glossary terms in text, in any inflected form.

A text token matches a form token when, after lower-casing and folding diacritics, they are
equal; or their Snowball stems are equal (case endings: Лыонга/Лыонгом -> лыонг, Sekretarza ->
sekretarz); or the text token is the form plus a known suffix of the language (definite
and genitive endings the stemmers miss: politbyrån, sekretariatet, Politbüros). In German and
the Nordic languages a one-word form also matches as the first part of a compound
(Politbüromitglied). With a lemma table (:mod:`workbench.glossary.lemmas`), a token that is a
dictionary form of the same lemma matches too: stem alternations no rule sees (Biuro ->
Biurze, członek -> członka). Tokens of two letters or fewer must match exactly ("To" is not
"Tom").
``benchmarks/glossary_matching.py`` measures each rule's recall and precision.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from workbench.errors import InputError
from workbench.glossary.store import PATTERN_TIMEOUT, Glossary, Term, compile_pattern
from workbench.text.detect import script_of_language
from workbench.text.stems import snowball

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
#: Endings that may follow a base form (definite articles, genitive s, case endings).
SUFFIXES: dict[str, frozenset[str]] = {
    "de": frozenset({"s", "es", "n", "en", "e", "er", "ern", "in", "innen"}),
    "nb": frozenset({"s", "en", "et", "a", "ene", "er", "ens", "ets", "enes", "ers", "e"}),
    "da": frozenset({"s", "en", "et", "ene", "er", "ens", "ets", "enes", "e"}),
    "sv": frozenset({"s", "n", "en", "et", "ns", "ens", "ets", "t", "ts", "er", "erna", "ar",
                     "arna", "na", "nas", "ernas", "arnas", "e", "es"}),
    "pl": frozenset({"a", "u", "owi", "em", "ie", "y", "i", "ów", "om", "ami", "ach", "ego",
                     "emu", "ym", "ej", "ą", "e", "iem"}),
    "ru": frozenset({"а", "я", "у", "ю", "ом", "ем", "ём", "е", "ы", "и", "ов", "ев", "ам",
                     "ям", "ами", "ями", "ах", "ях", "ой", "ей", "ого", "его", "ому", "ему",
                     "ым", "им", "ая", "ую"}),
    "en": frozenset({"s", "'s", "’s", "es"}),
}
#: Polish locative/dative endings that soften a noun's last consonant (premier -> premierze,
#: Komitet -> Komitecie, rząd -> rządzie), folded. The dictionary misses some of these where
#: a form is ambiguous (it reads "premierze" as a form of "premiera", a premiere).
ALTERNATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "pl": (("st", "scie"), ("sł", "sle"), ("zd", "zdzie"), ("r", "rze"), ("t", "cie"),
           ("d", "dzie"), ("ł", "le"), ("n", "nie"), ("m", "mie"), ("w", "wie"),
           ("b", "bie"), ("p", "pie"), ("s", "sie"), ("z", "zie")),
}
COMPOUND_LANGUAGES = frozenset({"de", "nb", "da", "sv"})
#: Term types matched by lemma too. Names are left out: a dictionary lemmatizes a name as the
#: common word it resembles (Polish "Lam" -> "lama", llama).
LEMMA_TYPES = frozenset({"title", "body"})
MIN_COMPOUND_REST = 4  # Swedish ministeriet is not minister + iet
#: ``Term.file`` of a provisional term (an unseen name, :mod:`workbench.glossary.auto_names`).
AUTO_FILE = "<auto>"


@dataclass(frozen=True, slots=True)
class Match:
    """A glossary term found in a text: where, how, and the English it must become."""

    term: Term
    start: int
    end: int
    surface: str
    how: str  # exact, inflected, compound, pattern
    target: str


def fold(text: str) -> str:
    """Lower-case and strip diacritics (Trần -> tran, Politbüro -> politburo, đ -> d)."""
    if _OUTSIDE_FOLD_TABLE.search(text) is None:  # nearly always: one C-level pass
        return text.translate(_FOLD_TABLE)
    return _fold_slowly(text)


def _fold_tokens(text: str, tokens: list[re.Match[str]]) -> list[str]:
    """Each token folded: by slicing the text folded once, where folding keeps positions."""
    if _OUTSIDE_FOLD_TABLE.search(text) is None and _NOT_ONE_FOR_ONE.search(text) is None:
        folded = text.translate(_FOLD_TABLE)
        return [folded[token.start():token.end()] for token in tokens]
    return [fold(token.group(0)) for token in tokens]


def _fold_slowly(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Folding the Latin and Cyrillic blocks character by character gives what folding a whole
# text gives: in them, lower-casing and decomposition depend on no neighbour, and every
# combining mark is dropped anyway. Other scripts (Greek's final sigma) take the slow path.
_FOLD_RANGES = ((0x0000, 0x0250), (0x0300, 0x0370), (0x0400, 0x0530), (0x1E00, 0x1F00))
_FOLD_TABLE = {code: _fold_slowly(chr(code)) for start, stop in _FOLD_RANGES
               for code in range(start, stop)}
_FOLD_TABLE = {code: folded for code, folded in _FOLD_TABLE.items() if folded != chr(code)}
_NOT_ONE_FOR_ONE = re.compile("[" + "".join(
    re.escape(chr(code)) for code, folded in _FOLD_TABLE.items() if len(folded) != 1) + "]")
#: Every character of the fold ranges by what it folds to: "a" -> "aAàáâ...".
_FOLDING_TO: dict[str, str] = {}
for _code, _folded in ((c, _fold_slowly(chr(c))) for start, stop in _FOLD_RANGES
                       for c in range(start, stop)):
    _FOLDING_TO[_folded] = _FOLDING_TO.get(_folded, "") + chr(_code)
_LETTER_OUTSIDE_FOLD_TABLE = regex.compile("[^" + "".join(
    f"{chr(start)}-{chr(stop - 1)}" for start, stop in _FOLD_RANGES) + "\\P{L}]")
_OUTSIDE_FOLD_TABLE = re.compile("[^" + "".join(f"{chr(start)}-{chr(stop - 1)}"
                                              for start, stop in _FOLD_RANGES) + "]")


@functools.lru_cache(maxsize=65536)
def stem(token: str, lang: str) -> str:
    """Snowball stem of a lower-cased token, folded; the folded token if no stemmer."""
    stemmer = snowball(lang)
    lowered = token.lower()
    return fold(stemmer.stemWord(lowered) if stemmer else lowered)


def token_match(text_token: str, form_token: str, lang: str, compound: bool = False,
                lemma_forms: frozenset[str] = frozenset()) -> str | None:
    """How a text token matches a form token (``exact``/``inflected``/``compound``), or None.

    ``lemma_forms`` are the folded dictionary forms of the form token's lemma.
    """
    return folded_token_match(text_token, form_token, fold(text_token), fold(form_token), lang,
                              compound, lemma_forms)


def folded_token_match(text_token: str, form_token: str, a: str, b: str, lang: str,
                       compound: bool = False, lemma_forms: frozenset[str] = frozenset()
                       ) -> str | None:
    """:func:`token_match` with both tokens already folded (``a``, ``b``)."""
    if a == b:
        return "exact"
    if len(b) <= 2 or len(a) <= 2:
        return None
    if stem(text_token, lang) == stem(form_token, lang) and len(stem(form_token, lang)) >= 3:
        return "inflected"
    if a.startswith(b) and a[len(b):] in SUFFIXES.get(lang, ()):
        return "inflected"
    if a in lemma_forms or _alternated(a, b, lang):
        return "inflected"
    if compound and lang in COMPOUND_LANGUAGES and a.startswith(b) and \
            len(a) - len(b) >= MIN_COMPOUND_REST:
        return "compound"
    return None


def _alternated(a: str, b: str, lang: str) -> bool:
    """Whether folded ``a`` is folded ``b`` with a softened last consonant and ending."""
    base = b[:-1] if b[-1:] in "aoey" else b
    for old, new in ALTERNATIONS.get(lang, ()):
        if base.endswith(old):
            return a == base[: len(base) - len(old)] + new
    return False


def initials(form: str) -> str:
    """What :class:`Matcher` indexes a form by: its first token's first two folded letters."""
    tokens = _TOKEN.findall(form)
    return fold(tokens[0])[:2] if tokens else ""


def token_starts(initials: Iterable[str]) -> regex.Pattern[str]:
    """A pattern for a token of unfolded text whose folded form begins with an initial.

    Each letter stands for every character that folds to it (``d``: ``dDđĐďĎ``...), with any
    combining marks after it, so texts need no folding to be searched.
    """
    wanted = sorted({i for i in initials if i}, key=len, reverse=True)
    if not wanted:
        return regex.compile("(?!)")

    def letters(initial: str) -> str:
        whole = [regex.escape(c) for c in _FOLDING_TO.get(initial, ())]  # 'ß' for 'ss'
        parts = "\\p{M}*".join(f"[{''.join(map(regex.escape, _FOLDING_TO.get(c, c)))}]"
                                 for c in initial)
        return "|".join([parts, *whole])

    # Not after a letter or digit: where a token of ``_TOKEN`` (``re``'s \\w, without marks)
    # can begin. ``regex``'s own \\w counts combining marks, so it is not used here.
    return regex.compile("(?<![\\p{L}\\p{N}])(?:" + "|".join(letters(i) for i in wanted)
                         + ")")


def starts_in(starts: regex.Pattern[str], text: str) -> bool:
    """Whether a :func:`token_starts` pattern is in a text (folded first if it must be)."""
    if _LETTER_OUTSIDE_FOLD_TABLE.search(text) is not None:  # "ﬁ", "Ｔ": fold each token,
        return any(starts.match(fold(token)) for token in _TOKEN.findall(text))  # as find
    return starts.search(text) is not None


class Matcher:
    """All glossary forms of one language, ready to search texts."""

    def __init__(self, glossary: Glossary, lang: str) -> None:
        self.lang = lang
        latin = script_of_language(lang) == "latin"
        self.forms: list[tuple[Term, list[str]]] = []
        self.patterns: list[tuple[Term, regex.Pattern[str]]] = []
        for term in glossary.terms:
            for form in term.forms_for(lang, latin):
                tokens = _TOKEN.findall(form)
                if tokens:
                    self.forms.append((term, tokens))
            pattern = term.pattern_for(lang)
            if pattern:
                self.patterns.append((term, compile_pattern(pattern)))
        self._folded = {token: fold(token) for _, tokens in self.forms for token in tokens}
        self._by_initial: dict[str, list[tuple[Term, list[str]]]] = {}
        for term, tokens in self.forms:
            self._by_initial.setdefault(self._folded[tokens[0]][:2], []).append((term, tokens))
        self._lemma_forms: dict[str, frozenset[str]] = {}
        self._starts: regex.Pattern[str] | None = None  # see could_match

    @property
    def words(self) -> list[str]:
        """Every word of every form, for :func:`workbench.glossary.lemmas.lemma_forms`."""
        return sorted({token for term, tokens in self.forms if term.type in LEMMA_TYPES
                       for token in tokens})

    def use_lemmas(self, table: dict[str, tuple[str, ...]]) -> None:
        """Also match dictionary forms of each word's lemma (``{word: forms}``)."""
        self._lemma_forms = {fold(word): frozenset(map(fold, forms))
                             for word, forms in table.items()}

    def could_match(self, text: str) -> bool:
        """False only when :meth:`find` surely finds nothing: a cheap test of many texts.

        ``find`` tries a form only at a token whose folded first two letters are the form's;
        this looks for any such start in the folded text with one regex search.
        """
        if self.patterns:
            return True
        if self._starts is None:
            self._starts = token_starts(self._by_initial)
        return starts_in(self._starts, text)

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, longest first where they compete, in text order."""
        if not self.forms and not self.patterns:
            return []
        candidates: list[Match] = []
        for term, pattern in self.patterns:
            try:
                found = list(pattern.finditer(text, timeout=PATTERN_TIMEOUT))
            except TimeoutError as err:
                raise InputError(term.file, f"the pattern of {term.target!r} took over "
                                 f"{PATTERN_TIMEOUT} s on one sentence; simplify it",
                                 term.line) from err
            for m in found:
                if m.end() == m.start():
                    continue
                number = m.groupdict().get("number") or ""
                candidates.append(Match(term, m.start(), m.end(), m.group(0), "pattern",
                                        term.target.replace("{number}", number)))
        tokens = list(_TOKEN.finditer(text))
        folded = _fold_tokens(text, tokens)
        for i, initial in enumerate(folded):
            for term, form in self._by_initial.get(initial[:2], ()):
                match = self._match_at(tokens, folded, i, term, form)
                if match:
                    candidates.append(match)
        candidates.sort(key=lambda m: (m.start, -(m.end - m.start)))
        chosen: list[Match] = []
        for match in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
            if all(match.end <= c.start or match.start >= c.end for c in chosen):
                chosen.append(match)
        return sorted(chosen, key=lambda m: m.start)

    def _match_at(self, tokens: list[re.Match[str]], folded: list[str], i: int, term: Term,
                  form: list[str]) -> Match | None:
        if i + len(form) > len(tokens):
            return None
        hows = []
        lemmas = self._lemma_forms if term.type in LEMMA_TYPES else {}
        for offset, form_token in enumerate(form):
            folded_form = self._folded[form_token]
            how = folded_token_match(tokens[i + offset].group(0), form_token,
                                     folded[i + offset], folded_form, self.lang,
                                     compound=len(form) == 1,
                                     lemma_forms=lemmas.get(folded_form, frozenset()))
            if how is None:
                return None
            hows.append(how)
        start, end = tokens[i].start(), tokens[i + len(form) - 1].end()
        how = "compound" if "compound" in hows else "inflected" if "inflected" in hows \
            else "exact"
        text = tokens[i].string
        return Match(term, start, end, text[start:end], how, term.target)
