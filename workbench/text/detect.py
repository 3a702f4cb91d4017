"""Language identification: langid.py's model and classifier (``langid_nb``).

The classifier is built once per language set, restricted to the languages that matter,
with normalised probabilities so a confidence of 0.9 means the same on a short line as on a
long one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import regex

from workbench.text.langid_nb import NaiveBayes

#: Languages we tell apart by default: the sources we expect, the pivot, and Vietnamese
#: (our articles quote it). A restricted set keeps short lines from drifting to rare languages.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "nb", "da", "sv", "de", "pl", "ru", "en", "vi", "fr", "es", "it", "nl", "pt", "cs", "uk",
    "fi", "ar",
)
#: Language is decided on at most this much of a text: more adds time, not certainty.
MAX_DETECT_CHARS = 50_000
# langid's code -> ours. langid calls Norwegian Bokmål "no"; Argos calls it "nb".
_FROM_LANGID = {"no": "nb"}
_TO_LANGID = {v: k for k, v in _FROM_LANGID.items()}


@dataclass(frozen=True, slots=True)
class Guess:
    """A language code and langid's normalised probability for it."""

    lang: str
    confidence: float


@functools.cache
def _identifier(languages: tuple[str, ...]) -> NaiveBayes:
    return NaiveBayes(tuple(_TO_LANGID.get(code, code) for code in languages))


def detect(text: str, languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> Guess:
    """Guess the language of a text among ``languages``.

    The script decides first: a Hebrew text is Hebrew even when Hebrew is not among
    ``languages`` (restricted langid would otherwise call it the nearest language it knows,
    Arabic). Within a script, langid chooses among that script's languages.
    """
    return _detect(text, languages, script_of(text))


def _detect(text: str, languages: tuple[str, ...], script: str | None) -> Guess:
    if script and script != "latin":
        candidates = _SCRIPT_LANGUAGES.get(script, ())
        inside = tuple(lang for lang in candidates if lang in languages) or candidates
        if len(inside) == 1:
            return Guess(inside[0], 1.0)
        if inside:
            languages = inside
    code, probability = _identifier(languages).classify(text[:MAX_DETECT_CHARS])
    return Guess(_FROM_LANGID.get(code, code), float(probability))


# Letters only Vietnamese uses (with its tone marks); a few of them in a short line are
# strong evidence, whatever langid says.
_VIETNAMESE = frozenset(
    "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    "ĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ")
#: Languages written in each non-Latin script we recognise (langid knows each of them).
_SCRIPT_LANGUAGES = {
    "cyrillic": ("ru", "uk"),
    "arabic": ("ar",),
    "hebrew": ("he",),
    "greek": ("el",),
    "armenian": ("hy",),
    "georgian": ("ka",),
    "thai": ("th",),
    "hangul": ("ko",),
    "kana": ("ja",),
    "han": ("zh", "ja"),
    "devanagari": ("hi", "mr", "ne"),
    "bengali": ("bn",),
}
_SCRIPTS = ("latin", "cyrillic", "arabic", "hebrew", "greek", "armenian", "georgian", "thai",
            "hangul", "kana", "han", "devanagari", "bengali")
_SCRIPT_RE = regex.compile("|".join(
    "([" + "".join(f"\\p{{Script={name}}}" for name in names.split()) + "]+)" for names in (
        "Latin", "Cyrillic", "Arabic", "Hebrew", "Greek", "Armenian", "Georgian", "Thai",
        "Hangul", "Hiragana Katakana", "Han", "Devanagari", "Bengali")))
#: A segment overrides its article's language on langid's word alone only when it is at least
#: this long and langid is at least this sure.
LONG_SEGMENT_WORDS = 12
CONFIDENT = 0.999
# Languages langid confuses with each other on single sentences.
_CLOSE = ({"nb", "da", "sv"}, {"ru", "uk"}, {"cs", "pl"}, {"es", "pt", "it"})


_NOT_LATIN_RANGE = re.compile(r"[^\x00-\u024f\u1e00-\u1eff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
                           r"\u1e00-\u1eff]")
_NOT_LATIN_OR_CYRILLIC = re.compile(r"[^\x00-\u024f\u0400-\u04ff\u1e00-\u1eff]")
#: Characters of the Cyrillic script in its main block (U+0485-0486 are marks of any script).
_CYRILLIC = re.compile(r"[\u0400-\u0484\u0487-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_VIETNAMESE_LETTER = re.compile(f"[{''.join(sorted(_VIETNAMESE))}]")


def script_of(text: str) -> str | None:
    """The script most letters of a text are written in (latin, cyrillic, hebrew...)."""
    if not _NOT_LATIN_RANGE.search(text):  # the common case, decided in one C-level scan
        return "latin" if _LATIN_LETTER.search(text) else None
    if not _NOT_LATIN_OR_CYRILLIC.search(text):  # the next most common, in two more scans
        cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN_LETTER.findall(text))
        return "cyrillic" if cyrillic > latin else "latin" if latin else None
    counts = dict.fromkeys(_SCRIPTS, 0)
    for match in _SCRIPT_RE.finditer(text):
        counts[_SCRIPTS[match.lastindex - 1]] += match.end() - match.start()
    script, count = max(counts.items(), key=lambda item: item[1])
    return script if count else None


def segment_language(text: str, article: Guess,
                     languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> Guess:
    """A segment's language: its article's, unless the evidence against it is strong.

    Strong evidence is Vietnamese letters, a different script, or a long segment langid is
    sure about (outside the article language's close relatives). Short lines never switch on
    langid alone: a single word is too little to go on.
    """
    vietnamese = len(_VIETNAMESE_LETTER.findall(text))
    if vietnamese >= 3 and vietnamese >= 0.08 * len(_LETTER.findall(text)):
        return Guess("vi", 1.0)
    script = script_of(text)
    words = len(text.split())
    if script and script != script_of_language(article.lang) and words >= 4:
        candidates = _SCRIPT_LANGUAGES.get(script) or tuple(
            lang for lang in languages if script_of_language(lang) == "latin")
        if len(candidates) == 1:
            return Guess(candidates[0], 1.0)
        return _detect(text, candidates, script)
    if words >= LONG_SEGMENT_WORDS:
        guess = _detect(text, languages, script)
        close = any(guess.lang in group and article.lang in group for group in _CLOSE)
        if guess.lang != article.lang and guess.confidence >= CONFIDENT and not close:
            return guess
    return article


def script_of_language(lang: str) -> str:
    """The script a language is written in."""
    for script, langs in _SCRIPT_LANGUAGES.items():
        if lang in langs:
            return script
    return "latin"
