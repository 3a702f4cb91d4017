"""Enforce glossary terms in the English, ending in a guarantee.

Why this should hold on real Argos models, which we cannot run here:

1. **Placeholders for names and numbers.** Persons, places and document numbers are replaced
   in the engine input by four-digit numbers that do not occur in the sentence (``Лыонга
   Кыонга`` -> ``7301``). NMT models copy numbers verbatim far more reliably than they
   transliterate names, and a number is grammatical wherever a name is. After translation
   each number is replaced by its English target.
2. **n-best selection.** The beam already holds several hypotheses; we take the best one that
   keeps every placeholder exactly once and contains the most title/body targets.
3. **Attention-aligned replacement.** If no hypothesis keeps a term, the words of the English
   that attend to the term's source words are replaced by the target (CTranslate2 returns the
   attention of its alignment layer).
4. **Verification.** Finally every matched term's target is looked for in the English; each
   record lists each term with ``found`` and how it was ``enforced`` (``placeholder``,
   ``model``, ``n-best``, ``attention``), or ``missed``. Nothing claims success unchecked.

Titles and bodies are not replaced by placeholders: the model's own rendering keeps the
sentence fluent (articles, word order), and steps 2-4 still apply to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.engines.base import Translation
from workbench.glossary.match import Match
from workbench.records import GlossaryHit

PROTECTED_TYPES = frozenset({"person", "place", "document"})
FIRST_PLACEHOLDER = 7301


@dataclass(frozen=True, slots=True)
class ProtectedTerm:
    """A matched term and where it sits in the engine input."""

    match: Match
    placeholder: str | None  # the number standing in for it, or None when left to the model
    first_word: int  # whitespace-word span of the term (or placeholder) in the engine input
    last_word: int


@dataclass(frozen=True, slots=True)
class Protected:
    """What the engine sees for a segment, and how to restore its terms afterwards."""

    engine_input: str
    terms: tuple[ProtectedTerm, ...]

    @property
    def key(self) -> str:
        """Glossary part of the cache key: every target this segment must carry."""
        return "|".join(f"{t.match.term.type}:{t.match.target}:{t.placeholder or ''}"
                        for t in self.terms)


def protect(text: str, matches: list[Match]) -> Protected:
    """Replace names, places and document numbers with placeholder numbers."""
    if not matches:
        return Protected(text, ())
    # A placeholder must not occur in the sentence nor in any target it will be restored to,
    # or restoring one term would plant another's placeholder (Decree 7302 next to 7302).
    taken = set(re.findall(r"\d+", text)) | {n for m in matches
                                              for n in re.findall(r"\d+", m.target)}
    number = FIRST_PLACEHOLDER
    pieces: list[str] = []
    planned: list[tuple[Match, str | None, int, int]] = []
    cursor = 0
    for match in matches:
        pieces.append(text[cursor:match.start])
        start_char = sum(map(len, pieces))
        if match.term.type in PROTECTED_TYPES:
            while str(number) in taken:
                number += 1
            placeholder = str(number)
            number += 1
            pieces.append(placeholder)
        else:
            placeholder = None
            pieces.append(match.surface)
        planned.append((match, placeholder, start_char, sum(map(len, pieces))))
        cursor = match.end
    pieces.append(text[cursor:])
    engine_input = "".join(pieces)
    terms = tuple(ProtectedTerm(match, placeholder, _word_at(engine_input, start),
                                _word_at(engine_input, max(start, end - 1)))
                  for match, placeholder, start, end in planned)
    return Protected(engine_input, terms)


def _word_at(text: str, char: int) -> int:
    return len(text[:char].split()) - (0 if char == 0 or text[char - 1].isspace() else 1)


def restore(protected: Protected, translation: Translation) -> tuple[str, tuple[GlossaryHit, ...]]:
    """Turn the engine's output into final English and a verified report per term."""
    if not protected.terms:
        return translation.text, ()
    hypotheses = [translation.text, *translation.alternatives]
    ranked = sorted(range(len(hypotheses)), key=lambda i: (-_keeps(hypotheses[i], protected), i))
    chosen = ranked[0]
    text = hypotheses[chosen]
    alignment = translation.alignment if chosen == 0 else None
    how: dict[int, str] = {}
    words = text.split()
    for n, term in enumerate(protected.terms):
        present = _present(term, " ".join(words))
        if present:
            how[n] = ("placeholder" if term.placeholder else "model") if chosen == 0 \
                else "n-best"
            continue
        if alignment is not None and len(alignment) == len(words):
            replaced = _replace_aligned(words, alignment, term)
            if replaced is not None:
                words, alignment = replaced
                how[n] = "attention"
    text = tidy(_replace_placeholders(" ".join(words), protected), protected)
    return text, verify(text, protected, how)


def verify(text: str, protected: Protected, how: dict[int, str]) -> tuple[GlossaryHit, ...]:
    """One state per term, from the final English: how it got there, or ``missed``.

    A target that is present although no step placed it was written by the model itself.
    """
    hits = []
    for n, term in enumerate(protected.terms):
        found = contains(text, term.match.target)
        enforced = how.get(n, "model") if found else "missed"
        hits.append(GlossaryHit(term.match.surface, term.match.target, found, enforced))
    return tuple(hits)


def _keeps(hypothesis: str, protected: Protected) -> int:
    """How many terms a hypothesis keeps (placeholders count only when kept exactly once)."""
    kept = 0
    for term in protected.terms:
        if term.placeholder:
            kept += 2 * (len(re.findall(rf"(?<!\d){term.placeholder}(?!\d)", hypothesis)) == 1)
        else:
            kept += contains(hypothesis, term.match.target)
    return kept


def _present(term: ProtectedTerm, text: str) -> bool:
    if term.placeholder:
        return re.search(rf"(?<!\d){term.placeholder}(?!\d)", text) is not None
    return contains(text, term.match.target)


def _replace_aligned(words: list[str], alignment: tuple[int, ...], term: ProtectedTerm
                     ) -> tuple[list[str], tuple[int, ...]] | None:
    """Replace the English words aligned to the term's source words by the term."""
    aligned = [i for i, source in enumerate(alignment)
               if term.first_word <= source <= term.last_word]
    if not aligned:
        return None
    first, last = min(aligned), max(aligned)
    trailing = re.search(r"[^\w]*$", words[last]).group(0)  # keep "," "." after the span
    replacement = (term.placeholder or term.match.target) + trailing
    new_words = [*words[:first], replacement, *words[last + 1:]]
    new_alignment = (*alignment[:first], term.first_word, *alignment[last + 1:])
    return new_words, new_alignment


def _replace_placeholders(text: str, protected: Protected) -> str:
    """Restore every placeholder in one pass, so restored text is never scanned again.

    The first copy of a placeholder becomes its target; a copied-twice one leaves no trace.
    """
    targets = {t.placeholder: t.match.target for t in protected.terms if t.placeholder}
    if not targets:
        return text
    pattern = re.compile(rf"(?<!\d)(?:{'|'.join(map(re.escape, targets))})(?!\d)")
    used: set[str] = set()

    def put(match: re.Match[str]) -> str:
        placeholder = match.group(0)
        if placeholder in used:
            return ""
        used.add(placeholder)
        return targets[placeholder]

    return pattern.sub(put, text)


def verify_approved(text: str, hits: Iterable[GlossaryHit]) -> tuple[GlossaryHit, ...]:
    """Check a reviewer's English for each term: ``approved`` when present, else ``missed``."""
    return tuple(GlossaryHit(hit.term, hit.target, contains(text, hit.target),
                             "approved" if contains(text, hit.target) else "missed")
                 for hit in hits)


def contains(text: str, target: str) -> bool:
    """Whether the English holds the target, ignoring case and spacing."""
    squeeze = lambda s: re.sub(r"\s+", " ", s).strip().casefold()  # noqa: E731
    return squeeze(target) in squeeze(text)


def tidy(text: str, protected: Protected) -> str:
    """No doubled terms, clean spacing, a capital first letter.

    Placeholders are already gone: :func:`_replace_placeholders` removes every copy.
    """
    for term in protected.terms:
        target = re.escape(term.match.target)
        text = re.sub(rf"\b({target})(?:\s+{target}\b)+", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:]
