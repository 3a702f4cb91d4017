"""Vietnamese names in Latin and Cyrillic letters: is a word one, and are two spellings one name.

Russian writes Vietnamese names by a fixed transcription (Kontsevich's): Ph→Ф, Th→Тх,
Tr and Ch→Ч or Т, Kh→Кх, final nh→нь, ư→ы, s→ш, x→с, d and gi→з or ж, đ→д, y→и or й. Both
spellings are reduced to one key where those pairs coincide, so ``Pham Minh Chinh`` and
``Фам Минь Тинь`` share the key ``fam min tin``. The pairs the glossary already holds (``Tran
Thanh Man`` / ``Чан Тхань Ман``...) are the test of the rules.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence

from workbench.glossary.match import fold
from workbench.glossary.store import Glossary
from workbench.glossary.vietnamese import (
    cyrillic_segmentations,
    is_cyrillic_syllable,
    latin_readings,
    reading_rank,
)

#: A Vietnamese syllable, folded (no tone marks): onset, vowels, coda.
_LATIN_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
    r"(?:a|u|e|em|iem|owi|ie|s|en|ens)?")  # case endings: Sona, Longiem, Chinhowi
#: The same in Russian transcription (with the case endings Russian adds to names).
_CYRILLIC_SYLLABLE = re.compile(
    r"(?:нг|нь|тх|кх|тр|ч|ф|ж|з|д|т|к|х|л|м|н|б|в|с|ш|р|г|п)?ь?"
    r"[аеиоуыэяюё]{1,3}(?:нг|нь|м|н|п|т|к|й)?(?:а|у|ом|ем|е|я|ю)?")
_VIETNAMESE_MARKS = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u0300-\u0323\u1ea0-\u1ef9]")
_LATIN_RULES = (("uye", "ue"), ("ngh", "n"), ("ng", "n"), ("nh", "n"), ("ph", "f"),
                ("th", "t"), ("tr", "t"), ("ch", "t"), ("kh", "k"), ("gh", "g"), ("gi", "z"),
                ("qu", "ku"), ("d", "z"), ("c", "k"), ("q", "k"), ("x", "s"), ("y", "i"))
_CYRILLIC_RULES = (("тх", "т"), ("кх", "к"), ("нг", "н"), ("нь", "н"), ("тр", "т"),
                   ("ье", "ие"), ("ч", "т"), ("ж", "з"), ("д", "з"), ("ш", "с"), ("ы", "у"),
                   ("й", "и"), ("ь", ""), ("ъ", ""), ("я", "иа"), ("ю", "иу"), ("ё", "ио"),
                   ("э", "е"))
_CYRILLIC_LETTERS = dict(zip("абвгезиклмнопрстуфхц",
                             ["a", "b", "v", "g", "e", "z", "i", "k", "l", "m", "n", "o", "p",
                              "r", "s", "t", "u", "f", "h", "ts"], strict=True))
#: How alike two keys must be to be one name (``nuien``/``nuen``: the y Russian drops).
SAME_NAME_RATIO = 0.8


def is_cyrillic(word: str) -> bool:
    """Whether a word is written in Cyrillic letters."""
    return bool(re.match(r"[Ѐ-ӿ]", word))


def is_vietnamese_name(words: Sequence[str]) -> bool:
    """Whether every word is a Vietnamese syllable (in Latin letters or in Russian's)."""
    return bool(words) and all(
        (_CYRILLIC_SYLLABLE if is_cyrillic(w) else _LATIN_SYLLABLE).fullmatch(
            fold(w).replace("đ", "d")) is not None and len(w) <= 8 for w in words)


def has_vietnamese_marks(text: str) -> bool:
    """Whether a Latin spelling keeps Vietnamese letters or tones (``Phạm``, not ``Pham``)."""
    return _VIETNAMESE_MARKS.search(text) is not None


def name_key(word: str) -> str:
    """One key for a syllable in either script (see the module's docstring)."""
    key = fold(word)
    if is_cyrillic(word):
        for old, new in _CYRILLIC_RULES:
            key = key.replace(old, new)
        return "".join(_CYRILLIC_LETTERS.get(c, c) for c in key)
    for old, new in _LATIN_RULES:
        key = key.replace(old, new)
    return key


def same_name(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two spellings (word by word) are one Vietnamese name."""
    if len(a) != len(b) or not a:
        return False
    return all(difflib.SequenceMatcher(None, name_key(x), name_key(y)).ratio()
               >= SAME_NAME_RATIO for x, y in zip(a, b, strict=True))


#: Russian case endings on a name's last word, and whether the stem is soft (ends in ь).
_CYRILLIC_ENDINGS = (("ом", False), ("ем", True), ("а", False), ("я", True), ("у", False),
                     ("ю", True), ("е", True))


def _syllable_count(word: str) -> int:
    """How many syllables a Cyrillic name word has at fewest (0: it is no name word)."""
    if is_cyrillic_syllable(word):
        return 1
    cuts = cyrillic_segmentations(word)
    return min(map(len, cuts)) if cuts else 0


def cyrillic_nominative(word: str) -> tuple[str, bool]:
    """A lower-case Russian word as a Vietnamese name word: ``(nominative, had an ending)``.

    ``Тиня``/``Тиню``/``Тинем`` -> ``тинь`` (soft stem), ``Зунгом`` -> ``зунг``,
    ``Куангнине`` -> ``куангнинь``; ``("", False)`` when it is none. Of the readings, the one
    with the fewest syllables wins (``Тиня`` is ``Тинь`` + я, not ``Ти-ня``), then no ending.
    """
    readings: list[tuple[int, int, str]] = [(_syllable_count(word), 0, word)]
    for ending, soft in _CYRILLIC_ENDINGS:
        base = word[:-len(ending)]
        if word.endswith(ending) and len(base) >= 2:
            for stem in (base + "ь", base) if soft else (base,):
                readings.append((_syllable_count(stem), len(readings), stem))
    readings = [r for r in readings if r[0]]
    if not readings:
        return "", False
    _, order, nominative = min(readings)
    return nominative, order > 0


def reading_table(glossary: Glossary) -> Counter[tuple[str, str]]:
    """How the glossary's own pairs read Cyrillic syllables: ``{(чан, tran): 3, ...}``."""
    table: Counter[tuple[str, str]] = Counter()
    for term in glossary.terms:
        for latin in term.forms.get("latin", ()):
            for russian in term.forms.get("ru", ()):
                a, b = fold(latin).split(), fold(russian).split()
                if len(a) == len(b):
                    table.update(zip(b, a, strict=True))
    return table


def cyrillic_english(syllables: Sequence[Sequence[str]], table: Counter[tuple[str, str]]
                     ) -> tuple[str, tuple[str, ...]]:
    """A Russian name read back into Latin letters, and the other readings left tied.

    Each syllable takes the reading the glossary's pairs use most, then the one
    Kontsevich's primary rule gives (Ч is Tr before Ch); a tie (Т: T or Ch) is kept as an
    alternative. Words are the syllables' (``куанг``+``нинь`` -> ``Quang Ninh``).
    """
    best: list[str] = []
    second: list[str | None] = []
    for word in syllables:
        for syllable in word:
            readings = latin_readings(syllable) or (syllable,)
            score = {r: (-table[syllable, r], reading_rank(syllable, r)) for r in readings}
            ranked = sorted(readings, key=lambda r: score[r])
            best.append(ranked[0])
            tied = [r for r in ranked[1:] if score[r] == score[ranked[0]]]
            second.append(tied[0] if tied else None)
    english = " ".join(s.capitalize() for s in best)
    alternatives = tuple(" ".join((alt if n == i else s).capitalize()
                                  for n, s in enumerate(best))
                         for i, alt in enumerate(second) if alt is not None)
    return english, alternatives
