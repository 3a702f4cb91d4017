"""Vietnamese syllables without tone marks, and their Russian (Kontsevich) spellings.

The inventory is generated from the syllable structure of Vietnamese (onset, optional medial
``o``/``u``, nucleus, coda) with the spelling rules of the Latin orthography: ``k``, ``gh``
and ``ngh`` only before ``i``/``e``/``y``, ``c``, ``g`` and ``ng`` never there; ``q`` only as
``qu``; ``ch`` and ``nh`` only after ``a``, ``e``, ``i`` (and ``oa``, ``ue``, ``uy``); the
diphthongs ``ie``/``uo`` only closed (``Bien``, ``Duong``). Tone marks and vowel letters
(ă â ê ô ơ ư đ) are folded away, as names are usually written in European news. ``p`` is not
an onset (it starts loanwords only), and ``k`` ends only ``ak`` (``Dak Lak``, the Ede spelling
the state uses). Written from the language, not from a list of names, so it knows names it
has never seen and refuses ``Po``, ``Laut``, ``Thema``, ``Qiang``, ``Wang``, ``Siphandone``.

The Russian spellings follow Kontsevich's practical transcription (the one Russian media
use): Ph→Ф, Th→Тх, Tr→Ч, Ch→Т (palatal: Châu→Тяу), Kh→Кх, Nh→Нь, Gi and D→З, Đ→Д, R→Ж,
S→Ш, X→С, ư→ы, ươ→ыо, iê→ье, uyê→уе, final nh→нь, ch→ть. Every Latin syllable is written
in all the Cyrillic spellings its folded letters allow (``hung`` is Хунг or Хынг), so a
Cyrillic syllable is read back as the Latin syllables that spell it (:func:`latin_readings`),
first the ones Kontsevich's primary rule gives.
"""

from __future__ import annotations

import functools
import re

#: Onsets (``đ`` folds to ``d``).
ONSETS = ("", "b", "c", "ch", "d", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
          "ngh", "nh", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")
_CLOSED = ("c", "m", "n", "ng", "p", "t")
#: Nucleus (with its medial) -> codas it takes; "" is an open syllable.
RIMES: dict[str, tuple[str, ...]] = {
    "a": ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "k", "i", "o", "u", "y"),
    "e": ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "o", "u"),
    "i": ("", "ch", "m", "n", "nh", "p", "t", "u", "a"),
    "o": ("", "c", "m", "n", "ng", "p", "t", "i"),
    "u": ("", "c", "m", "n", "ng", "p", "t", "i", "u", "a"),
    "y": ("",),
    "ie": (*_CLOSED, "u"),
    "ye": ("m", "n", "t", "u"),  # no onset: Yen, Yet
    "uo": (*_CLOSED, "i", "u"),
    "oa": ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y", "o"),
    "oe": ("", "n", "t", "o"),
    "ua": ("n", "ng", "t", "y"),  # uâ after a consonant: Xuan, Thuan (open ua is above)
    "ue": ("", "ch", "nh"),
    "uy": ("", "ch", "nh", "n", "t", "a", "u"),
    "uye": ("n", "t"),
}


def _rimes() -> tuple[str, ...]:
    return tuple(dict.fromkeys(n + c for n, codas in RIMES.items() for c in codas))


#: Onsets a bare ``y`` follows (Ly, My, Quy; never ``chy``).
_Y_ONSETS = frozenset({"", "h", "k", "l", "m", "qu", "s", "t", "v"})
#: Rimes with a medial ``u``: after ``c``/``k`` that ``u`` is written ``qu``.
_MEDIAL_U = ("uan", "uang", "uat", "uay", "ue", "uy")


def _allowed(onset: str, rime: str) -> bool:
    front = rime[0] in "iey"
    if rime == "y" and onset not in _Y_ONSETS:
        return False
    if onset in ("c", "k") and rime.startswith(_MEDIAL_U):
        return False
    if onset == "k":
        return front
    if onset in ("gh", "ngh"):
        return front and not rime.startswith("y")
    if onset in ("c", "g", "ng"):
        return not front
    if onset == "qu":
        return (rime[0] in "aeiy" and not rime.startswith(("ie", "ye"))) or rime == "oc"
    if onset == "gi":
        return not rime.startswith(("i", "y")) or rime in ("i", "in", "it", "ich", "inh")
    if rime.startswith("ye"):
        return onset == ""
    if rime.startswith("ie"):
        return onset != ""
    return True


@functools.cache
def latin_syllables() -> frozenset[str]:
    """Every Vietnamese syllable, folded (lower case, no marks)."""
    return frozenset(o + r for o in ONSETS for r in _rimes() if _allowed(o, r))


def is_syllable(word: str) -> bool:
    """Whether a folded word is one Vietnamese syllable."""
    return word in latin_syllables()


def split_syllable(syllable: str) -> tuple[str, str]:
    """``(onset, rime)`` of a folded syllable (longest onset that leaves a rime)."""
    for onset in sorted(ONSETS, key=len, reverse=True):
        rime = syllable[len(onset):]
        if syllable.startswith(onset) and rime in _rimes() and _allowed(onset, rime):
            return onset, rime
    return "", syllable


# Kontsevich: onset -> Cyrillic spellings, primary first; "palatal" onsets soften the vowel.
_ONSET_RU: dict[str, tuple[str, ...]] = {
    "": ("",), "b": ("б",), "c": ("к",), "k": ("к",), "qu": ("ку",), "ch": ("т", "ч"),
    "d": ("з", "д"), "g": ("г",), "gh": ("г",), "gi": ("з",), "h": ("х",), "kh": ("кх",),
    "l": ("л",), "m": ("м",), "n": ("н",), "ng": ("нг",), "ngh": ("нг",), "nh": ("нь",),
    "ph": ("ф",), "r": ("ж", "р"), "s": ("ш",), "t": ("т",), "th": ("тх",), "tr": ("ч",),
    "v": ("в",), "x": ("с",),
}
_PALATAL = frozenset({"ch", "gi", "nh"})
_SOFT = {"а": "я", "у": "ю", "о": "ё", "э": "е", "ы": "ы", "и": "и", "е": "е"}
# Rime letters -> Cyrillic (folded Latin is ambiguous: u is u or ư, uo is uô or ươ ...).
_NUCLEUS_RU: dict[str, tuple[str, ...]] = {
    "a": ("а",), "e": ("е", "э"), "i": ("и",), "o": ("о",), "u": ("у", "ы"), "y": ("и",),
    "ie": ("ье", "ие"), "ye": ("е", "йе", "ие"), "uo": ("ыо", "уо"), "oa": ("оа",),
    "oe": ("оэ", "ое"), "ua": ("уа", "ыа"), "ue": ("уэ", "юэ", "уе"), "uy": ("уи", "юи"),
    "uye": ("уе", "уэ", "юе"),
}
_CODA_RU: dict[str, tuple[str, ...]] = {
    "": ("",), "c": ("к",), "k": ("к",), "ch": ("ть", "ч", "к"), "m": ("м",), "n": ("н",),
    "ng": ("нг",), "nh": ("нь",), "p": ("п",), "t": ("т",), "i": ("й",), "y": ("й", "и"),
    "o": ("о",), "u": ("у",), "a": ("а",),
}
_NUCLEI = sorted(RIMES, key=len, reverse=True)


def _split_rime(rime: str) -> tuple[str, str]:
    for nucleus in _NUCLEI:
        if rime.startswith(nucleus) and rime[len(nucleus):] in RIMES[nucleus]:
            return nucleus, rime[len(nucleus):]
    raise ValueError(rime)


def cyrillic_spellings(syllable: str) -> tuple[str, ...]:
    """The Russian spellings of a folded Latin syllable, Kontsevich's primary one first."""
    onset, rime = split_syllable(syllable)
    nucleus, coda = _split_rime(rime)
    spellings: list[str] = []
    for o in _ONSET_RU[onset]:
        for n in _NUCLEUS_RU[nucleus]:
            if onset == "" and n[:1] == "е":
                n = "э" + n[1:]
            if onset == "qu" and n[:1] in "уы":
                n = n[1:] or n
            for c in _CODA_RU[coda]:
                if coda == "y" and nucleus == "a":
                    spellings += [o + _soft(onset, "э") + "й"] if o else ["эй"]
                spellings.append(o + _soft(onset, n) + c if o else n + c)
                if onset in _PALATAL and n[:1] in "аоу":
                    spellings.append(o + n + c)  # Ньон beside Нён
    return tuple(dict.fromkeys(s.replace("ьь", "ь") for s in spellings))


def _soft(onset: str, vowels: str) -> str:
    if onset not in _PALATAL or not vowels:
        return vowels
    return _SOFT.get(vowels[0], vowels[0]) + vowels[1:]


@functools.cache
def _readings() -> dict[str, tuple[tuple[int, str], ...]]:
    table: dict[str, list[tuple[int, str]]] = {}
    for latin in sorted(latin_syllables()):
        for rank, spelling in enumerate(cyrillic_spellings(latin)):
            spelling = spelling.replace("нья", "ня").replace("нью", "ню").replace("ньё", "нё")
            table.setdefault(spelling, []).append((rank, latin))
    return {k: tuple(sorted(v)) for k, v in table.items()}


def latin_readings(cyrillic: str) -> tuple[str, ...]:
    """Folded Latin syllables a lower-case Cyrillic syllable spells, likeliest first."""
    found = _readings().get(cyrillic, ())
    return tuple(dict.fromkeys(latin for _, latin in found))


def reading_rank(cyrillic: str, latin: str) -> int:
    """How far from Kontsevich's primary spelling a reading is (0: the primary one)."""
    return min((rank for rank, reading in _readings().get(cyrillic, ()) if reading == latin),
               default=99)


def is_cyrillic_syllable(word: str) -> bool:
    """Whether a lower-case Cyrillic word is one Vietnamese syllable in transcription."""
    return word in _readings()


@functools.cache
def _longest_cyrillic() -> int:
    return max(map(len, _readings()))


def cyrillic_segmentations(word: str, limit: int = 4) -> list[tuple[str, ...]]:
    """Ways to cut a one-word Cyrillic name (``куангнинь``) into syllables, fewest first."""
    found: list[tuple[str, ...]] = []

    def walk(at: int, parts: tuple[str, ...]) -> None:
        if len(parts) > limit:
            return
        if at == len(word):
            found.append(parts)
            return
        for end in range(min(len(word), at + _longest_cyrillic()), at, -1):
            if word[at:end] in _readings():
                walk(end, (*parts, word[at:end]))

    walk(0, ())
    # Prefer syllables that start with a consonant (Да-нанг, not Дан-анг), then fewer cuts.
    return sorted(found, key=lambda p: (sum(not re.match("[бвгджзклмнпрстфхцчшщ]", s)
                                            for s in p[1:]), len(p)))
