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
from collections.abc import Sequence

from workbench.glossary.match import fold

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
