"""Enforce glossary terms in the English, ending in a guarantee.

Why this should hold on real Argos models, which we cannot run here:

1. **Placeholders for names and numbers.** Persons, places and document numbers are replaced
   in the engine input by four-digit numbers that do not occur in the sentence (``Лыонга
   Кыонга`` -> ``7301``). NMT models copy numbers verbatim far more reliably than they
   transliterate names, and a number is grammatical wherever a name is. After translation
   each number is replaced by its English target.
2. **n-best selection.** The beam already holds several hypotheses; we take the best one that
   keeps every placeholder exactly once and contains the most title/body targets.
3. **Prefix re-decoding** (:mod:`workbench.glossary.prefix`). Missing terms are forced: the
   hypothesis with each missing term put where the attention alignment says it belongs, cut
   after the last term, becomes the decoder's ``target_prefix`` and the model continues from
   there, so the English stays fluent after the terms. One re-decoding per segment.
4. **Attention-aligned replacement**, when re-decoding cannot place a term (length limit,
   engine failure): the words of the English that attend to the term's source words are
   replaced by the target (CTranslate2 returns the attention of its alignment layer).
5. **Verification.** Finally every matched term's target is counted in the English (a name
   the source has twice must be there twice, and no target more often than the source has
   it); each record lists each term with ``found`` and how it was ``enforced``
   (``placeholder``, ``model``, ``n-best``, ``prefix``, ``attention``), or ``missed`` with
   its ``cause``. Nothing claims success unchecked.

Titles and bodies are not replaced by placeholders: the model's own rendering keeps the
sentence fluent (articles, word order), and steps 2-4 still apply to them.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from workbench.engines.base import Translation
from workbench.glossary.match import AUTO_FILE, Match
from workbench.records import GlossaryHit

PROTECTED_TYPES = frozenset({"person", "place", "document"})
FIRST_PLACEHOLDER = 7301
#: Part of every glossary cache key: enforcement that improves re-translates what it touches.
ENFORCEMENT_VERSION = "2"


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
        if not self.terms:
            return ""
        return f"v{ENFORCEMENT_VERSION}|" + "|".join(  # an unseen name's hit says auto
            f"{t.match.term.type}:{t.match.target}:{t.placeholder or ''}"
            + ("~auto" if t.match.term.file == AUTO_FILE else "") for t in self.terms)

    @property
    def source_words(self) -> int:
        """Whitespace words of the engine input (for placing a term without alignment)."""
        return len(self.engine_input.split())


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


@dataclass
class Draft:
    """A hypothesis still in engine space (placeholders in), and how each term got there."""

    words: list[str]
    alignment: tuple[int, ...] | None
    how: dict[int, str] = field(default_factory=dict)
    causes: dict[int, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The hypothesis as one string."""
        return " ".join(self.words)


def choose(protected: Protected, translation: Translation) -> Draft:
    """The n-best hypothesis that keeps the most terms, with the terms it already holds."""
    hypotheses = [translation.text, *translation.alternatives]
    ranked = sorted(range(len(hypotheses)), key=lambda i: (-_keeps(hypotheses[i], protected), i))
    chosen = ranked[0]
    draft = Draft(hypotheses[chosen].split(), translation.alignment if chosen == 0 else None)
    if draft.alignment is not None and len(draft.alignment) != len(draft.words):
        draft.alignment = None
    for n in present(draft.text, protected):
        draft.how[n] = ("placeholder" if protected.terms[n].placeholder else "model") \
            if chosen == 0 else "n-best"
    return draft


def present(text: str, protected: Protected) -> set[int]:
    """Terms an engine-space text holds.

    Each placeholder once, each target as often as its terms need (a name the source has
    twice needs two copies).
    """
    found: set[int] = set()
    needed: Counter[str] = Counter()
    spans = occurrences(text, [t.match.target for t in protected.terms if not t.placeholder])
    for n, term in enumerate(protected.terms):
        if term.placeholder:
            if re.search(rf"(?<!\d){term.placeholder}(?!\d)", text):
                found.add(n)
            continue
        needed[term.match.target] += 1
        if len(spans[term.match.target]) >= needed[term.match.target]:
            found.add(n)
    return found


@functools.lru_cache(maxsize=4096)
def _target_pattern(target: str) -> re.Pattern[str]:
    """A target as whole words, any case, any spacing."""
    words = target.split()
    start = r"(?<!\w)" if words and re.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if words and re.search(r"\w$", words[-1]) else ""
    return re.compile(start + r"\s+".join(map(re.escape, words)) + end, re.IGNORECASE)


def occurrences(text: str, targets: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """Where each target is in a text.

    A copy inside a longer target's copy is not one of its own ("Party" inside "Communist
    Party of Vietnam").
    """
    taken: list[tuple[int, int]] = []
    found: dict[str, list[tuple[int, int]]] = {}
    for target in sorted(set(targets), key=lambda t: (-len(t), t)):
        spans = [m.span() for m in _target_pattern(target).finditer(text)
                 if not any(s <= m.start() and m.end() <= e for s, e in taken)]
        found[target] = spans
        taken += spans
    return found


def position(draft: Draft, term: ProtectedTerm, source_words: int) -> tuple[int, int]:
    """The words of the hypothesis a missing term takes the place of, as ``(start, end)``.

    With an alignment: the run of words attending to the term (the model's own attempt at
    it), else an empty span before the first word attending to a later source word. Without
    one: an empty span at the term's relative position in the source.
    """
    alignment = draft.alignment
    if alignment is not None:
        inside = [term.first_word <= s <= term.last_word for s in alignment]
        if any(inside):
            start = inside.index(True)
            end = start
            while end < len(inside) and inside[end]:
                end += 1
            return start, end
        later = [i for i, s in enumerate(alignment) if s > term.last_word]
        at = min(later) if later else len(draft.words)
        return at, at
    at = round(len(draft.words) * term.first_word / max(1, source_words))
    return at, at


def forced_prefix(draft: Draft, protected: Protected) -> str:
    """The start a re-decoding is forced to, holding every term by construction.

    The hypothesis with every missing term inserted where it belongs, cut right after the
    last term.
    """
    words = list(draft.words)
    held = present(draft.text, protected)
    edits = sorted((*position(draft, term, protected.source_words), n)
                   for n, term in enumerate(protected.terms) if n not in held)
    taken_until = 0
    placed: list[tuple[int, int, str]] = []
    for start, end, n in edits:  # a word two terms attend to goes to the first
        start, end = max(start, taken_until), max(end, taken_until)
        term = protected.terms[n]
        placed.append((start, end, term.placeholder or term.match.target))
        taken_until = end
    for start, end, token in reversed(placed):
        words[start:end] = [token]
    text = " ".join(words)
    ends = [end for spans in occurrences(text, [t.match.target for t in protected.terms
                                                if not t.placeholder]).values()
            for _, end in spans]
    ends += [m.end() for t in protected.terms if t.placeholder
             for m in re.finditer(rf"(?<!\d){t.placeholder}(?!\d)", text)]
    last = max(ends, default=len(text))
    return text[:last] + text[last:].split(" ", 1)[0]  # the whole word the last term ends in


def accept(draft: Draft, protected: Protected, translation: Translation, prefix: str) -> bool:
    """Take a re-decoding forced to start with ``prefix`` if it holds more terms.

    Terms the old hypothesis held keep their ``how``; the others are ``prefix``. A model that
    glued letters onto the forced last word ("Hanoi" + "ha") gets a space put back.
    """
    words = translation.text.split()
    alignment = list(translation.alignment) if translation.alignment is not None else None
    forced = prefix.split()
    last = len(forced) - 1
    if (0 <= last < len(words) and words[last] != forced[last]
            and words[last].startswith(forced[last]) and words[last][len(forced[last])].isalnum()):
        words[last: last + 1] = [forced[last], words[last][len(forced[last]):]]
        if alignment is not None and last < len(alignment):
            alignment.insert(last, alignment[last])
    before = present(draft.text, protected)
    after = present(" ".join(words), protected)
    if len(after) <= len(before):
        for n in set(range(len(protected.terms))) - after:
            draft.causes[n] = "the forced re-decoding did not keep it"
        return False
    draft.words = words
    draft.alignment = tuple(alignment) if alignment is not None and \
        len(alignment) == len(words) else None
    draft.how = {n: draft.how.get(n, "prefix") for n in after}
    return True


def finish(draft: Draft, protected: Protected) -> tuple[str, tuple[GlossaryHit, ...]]:
    """Final English and a verified report per term.

    Attention replacement for what is still missing, placeholders restored, no term doubled.
    """
    words = draft.words
    alignment = draft.alignment
    for n, term in enumerate(protected.terms):
        if n in present(" ".join(words), protected) or alignment is None:
            continue
        replaced = _replace_aligned(words, alignment, term)
        if replaced is not None:
            words, alignment = replaced
            draft.how[n] = "attention"
    text = tidy(_replace_placeholders(" ".join(words), protected), protected)
    return text, verify(text, protected, draft.how, draft.causes)


def restore(protected: Protected, translation: Translation) -> tuple[str, tuple[GlossaryHit, ...]]:
    """Turn the engine's output into final English and a verified report per term.

    Without re-decoding: :mod:`workbench.glossary.prefix` does that when an engine is at hand.
    """
    if not protected.terms:
        return translation.text, ()
    return finish(choose(protected, translation), protected)


def verify(text: str, protected: Protected, how: dict[int, str],
           causes: dict[int, str] | None = None) -> tuple[GlossaryHit, ...]:
    """One state per term, from the final English: how it got there, or ``missed`` and why.

    A target that is present although no step placed it was written by the model itself.
    A target needed twice (the source names it twice) is found twice or only once.
    """
    hits = []
    needed: Counter[str] = Counter()
    spans = occurrences(text, [t.match.target for t in protected.terms])
    for n, term in enumerate(protected.terms):
        target = term.match.target
        needed[target] += 1
        found = len(spans[target]) >= needed[target]
        enforced = how.get(n, "model") if found else "missed"
        cause = "" if found else (causes or {}).get(n) or "no step could place it"
        hits.append(GlossaryHit(term.match.surface, target, found, enforced, cause,
                                auto=term.match.term.file == AUTO_FILE))
    return tuple(hits)


def _keeps(hypothesis: str, protected: Protected) -> int:
    """How many terms a hypothesis keeps (placeholders count double, and only when once)."""
    kept = 0
    for n in present(hypothesis, protected):
        placeholder = protected.terms[n].placeholder
        if placeholder is None:
            kept += 1
        elif len(re.findall(rf"(?<!\d){placeholder}(?!\d)", hypothesis)) == 1:
            kept += 2
    return kept


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
    return tuple(replace(hit, found=True, enforced="approved", cause="")
                 if contains(text, hit.target) else
                 replace(hit, found=False, enforced="missed",
                         cause="the reviewer's English does not have it")
                 for hit in hits)


def contains(text: str, target: str) -> bool:
    """Whether the English holds the target, ignoring case and spacing."""
    squeeze = lambda s: re.sub(r"\s+", " ", s).strip().casefold()  # noqa: E731
    return squeeze(target) in squeeze(text)


def tidy(text: str, protected: Protected) -> str:
    """No target more often than the source has its terms, clean spacing, a capital first letter.

    The first copies stay; later ones go (a forced term the model wrote again). Placeholders
    are already gone: :func:`_replace_placeholders` removes every copy.
    """
    needed = Counter(t.match.target for t in protected.terms)
    surplus = sorted((span for target, spans in occurrences(text, needed).items()
                      for span in spans[needed[target]:]), reverse=True)
    for start, end in surplus:
        text = text[:start] + text[end:]
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:]
