"""Language identification with our own langid identifier.

We never touch ``langid.classify``: it mutates a module-global identifier. Ours is built once
per language set, restricted to the languages that matter, with normalised probabilities so a
confidence of 0.9 means the same on a short line as on a long one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

#: Languages we tell apart by default: the sources we expect, the pivot, and Vietnamese
#: (our articles quote it). A restricted set keeps short lines from drifting to rare languages.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "nb", "da", "sv", "de", "pl", "ru", "en", "vi", "fr", "es", "it", "nl", "pt", "cs", "uk",
    "fi", "ar",
)
# langid's code -> ours. langid calls Norwegian Bokmål "no"; Argos calls it "nb".
_FROM_LANGID = {"no": "nb"}
_TO_LANGID = {v: k for k, v in _FROM_LANGID.items()}


@dataclass(frozen=True, slots=True)
class Guess:
    """A language code and langid's normalised probability for it."""

    lang: str
    confidence: float


@functools.cache
def _identifier(languages: tuple[str, ...]):
    from langid.langid import LanguageIdentifier, model

    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages([_TO_LANGID.get(code, code) for code in languages])
    return identifier


def detect(text: str, languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> Guess:
    """Guess the language of a text among ``languages``."""
    code, probability = _identifier(languages).classify(text)
    return Guess(_FROM_LANGID.get(code, code), float(probability))


# Letters only Vietnamese uses (with its tone marks); a few of them in a short line are
# strong evidence, whatever langid says.
_VIETNAMESE = frozenset(
    "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    "ĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ")
_SCRIPT_LANGUAGES = {
    "cyrillic": ("ru", "uk"),
    "arabic": ("ar",),
}
#: A segment overrides its article's language on langid's word alone only when it is at least
#: this long and langid is at least this sure.
LONG_SEGMENT_WORDS = 12
CONFIDENT = 0.999
# Languages langid confuses with each other on single sentences.
_CLOSE = ({"nb", "da", "sv"}, {"ru", "uk"}, {"cs", "pl"}, {"es", "pt", "it"})


def script_of(text: str) -> str | None:
    """The script most letters of a text are written in (latin, cyrillic, arabic)."""
    counts = {"latin": 0, "cyrillic": 0, "arabic": 0}
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if code < 0x250 or 0x1E00 <= code <= 0x1EFF:
            counts["latin"] += 1
        elif 0x400 <= code <= 0x52F:
            counts["cyrillic"] += 1
        elif 0x600 <= code <= 0x6FF:
            counts["arabic"] += 1
    script, count = max(counts.items(), key=lambda item: item[1])
    return script if count else None


def segment_language(text: str, article: Guess,
                     languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> Guess:
    """A segment's language: its article's, unless the evidence against it is strong.

    Strong evidence is Vietnamese letters, a different script, or a long segment langid is
    sure about (outside the article language's close relatives). Short lines never switch on
    langid alone: a single word is too little to go on.
    """
    letters = [c for c in text if c.isalpha()]
    vietnamese = sum(c in _VIETNAMESE for c in letters)
    if vietnamese >= 3 and vietnamese >= 0.08 * len(letters):
        return Guess("vi", 1.0)
    script = script_of(text)
    if script and script != script_of_language(article.lang) and len(text.split()) >= 4:
        candidates = _SCRIPT_LANGUAGES.get(script) or tuple(
            lang for lang in languages if script_of_language(lang) == "latin")
        if len(candidates) == 1:
            return Guess(candidates[0], 1.0)
        return detect(text, candidates)
    if len(text.split()) >= LONG_SEGMENT_WORDS:
        guess = detect(text, languages)
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
