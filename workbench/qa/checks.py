"""Automatic QA of every record that has English (approved ones too: reviewers slip as well).

Each check is a small function returning a reason when the English looks wrong; ``qa_flags``
turns them into the ``qa:*`` flags of a record and ``findings`` gives flag and reason
together for the review pages and ``workbench qa``.

- ``qa:number``: a number of the source is missing from the English. Values are compared,
  not spellings: ``12,5`` equals ``12.5``; ``3.400``, ``3 400`` and ``3400`` equal ``3,400``;
  an ordinal ``3.`` equals ``3``. Numbers inside a glossary term that reached the English
  (a document number) count as present.
- ``qa:url``: a URL or e-mail address of the source is missing from the English.
- ``qa:untranslated``: the English copies three or more consecutive lower-case source words
  (names are capitalised, numbers are not words, glossary terms are excluded).
- ``qa:repetition``: the English repeats an n-gram three times in a row (a known NMT failure
  loop), or a word at least three times and more often than any source word occurs.
- ``qa:length``: English characters per source character outside ``LENGTH_BAND``. On the
  WMT21 test sets, human references of sentences of 20+ characters range 0.50-1.64 (de-en,
  99% within 0.68-1.37) and 0.63-1.87 (ru-en, 99% within 0.76-1.58); the band is set just
  outside what people write.
- ``qa:low-score``: the model's mean log-probability per token is below ``LOW_SCORE``.
- ``qa:forbidden``: the English uses a rendering the glossary forbids for a term the source
  holds (``forbidden = ["Political Bureau"]`` on the Politburo entry), the entry named.
- ``name:unconfirmed``: the English carries an automatic name (an unseen Vietnamese name the
  run found and protected provisionally, ``"auto": true`` on its glossary hit); the reason
  names each source form and its English, for a reviewer to accept or correct.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from workbench.records import WITH_ENGLISH, Record
from workbench.text.words import WORD

LOW_SCORE = -1.2
LENGTH_BAND = (0.5, 2.0)
#: Sources shorter than this are too short for a length ratio to mean anything.
MIN_LENGTH_CHARS = 20

# A number: digits grouped by spaces in threes (3 400), or digits with . and , (3.400, 12,5),
# with an optional ordinal dot (3.).
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f']\d{3})+|\d+(?:[.,]\d+)*)\.?"
                     r"(?![\w])")
_URL = re.compile(r"https?://[^\s<>\"']+|www\.[^\s<>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT = re.compile(r"\d")


def _may_hold_url(text: str) -> bool:
    """A cheap test run first: most sentences hold no address, and the pattern is slow."""
    return "://" in text or "www." in text or "@" in text


@functools.lru_cache(maxsize=8)
def _words(text: str) -> tuple[str, ...]:
    """The words of a text (several checks ask for the same record's words in turn)."""
    return tuple(WORD.findall(text))


def _words_outside_urls(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(_URL.sub(" ", text))) if _may_hold_url(text) else _words(text)


@dataclass(frozen=True, slots=True)
class Finding:
    """One QA flag and why it was raised."""

    flag: str
    reason: str


def number_values(token: str) -> set[float]:
    """Every value a written number can mean (both decimal conventions)."""
    token = token.rstrip(".").replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ")
    compact = token.replace(" ", "")
    values = set()
    for thousands, decimal in ((".", ","), (",", ".")):
        candidate = compact
        groups = candidate.split(thousands)
        if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and groups[0]:
            candidate = candidate.replace(thousands, "")
        candidate = candidate.replace(decimal, ".")
        if candidate.count(".") <= 1:
            with contextlib.suppress(ValueError):
                values.add(float(candidate))
    return values


def _numbers(text: str) -> list[tuple[str, set[float]]]:
    if not _DIGIT.search(text):
        return []
    return [(m.group(0).strip(), number_values(m.group(0).strip()))
            for m in _NUMBER.finditer(text)]


def check_number(record: Record) -> str | None:
    """A source number whose value the English lacks."""
    if not _DIGIT.search(record.src):
        return None
    protected = " ".join(hit.term for hit in record.glossary if hit.found)
    english = set().union(*(values for _, values in _numbers(record.tgt or ""))) \
        if record.tgt else set()
    missing = [written for written, values in _numbers(record.src)
               if values and not values & english and written not in protected]
    return f"number {missing[0]!r} is missing from the English" if missing else None


def check_url(record: Record) -> str | None:
    """A URL or e-mail address the English lacks."""
    english = record.tgt or ""
    if not _may_hold_url(record.src):
        return None  # the common case, without running the pattern over every word
    for match in _URL.finditer(record.src):
        address = match.group(0).rstrip(".,;:)!?")
        if address not in english:
            return f"{address!r} is missing from the English"
    return None


def check_untranslated(record: Record) -> str | None:
    """Three or more lower-case source words copied into the English in a row."""
    english = [w.lower() for w in _words_outside_urls(record.tgt or "")]
    if len(english) < 3:
        return None
    # Addresses are copied on purpose; names are capitalised; glossary terms may stay.
    in_english = set(english) - {w.lower() for hit in record.glossary
                                 for w in WORD.findall(hit.term)}
    source = [low if (low := w.lower()) in in_english and w[:1].islower() and len(w) > 1
              else None for w in _words_outside_urls(record.src)]
    candidates = [triple for triple in zip(source, source[1:], source[2:], strict=False)
                  if None not in triple]
    if not candidates:  # the common case: no three such words in a row
        return None
    copied = set(zip(english, english[1:], english[2:], strict=False))
    for triple in candidates:
        if triple in copied:
            return f"source words {' '.join(triple)!r} are copied, not translated"
    return None


#: Up to four words, then the same words twice more: a decoder stuck in a loop.
_LOOP = re.compile(r"(?<!\S)(\S+(?: \S+){0,3}) \1 \1(?!\S)")


def check_repetition(record: Record) -> str | None:
    """An n-gram looping three times, or a word repeated more than the source repeats any."""
    words = [w.lower() for w in _words(record.tgt or "")]
    if max(Counter(words).values(), default=0) < 3:
        return None  # no word three times: neither a loop nor an overused word
    loop = _LOOP.search(" ".join(words))
    if loop:
        return f"{loop.group(1)!r} repeats three times in a row"
    counts = Counter(w for w in words if len(w) > 3)
    source_most = max(Counter(w.lower() for w in _words(record.src)).values(), default=0)
    for word, count in counts.most_common(1):
        if count >= 3 and count > source_most:
            return f"{word!r} occurs {count} times, more than any source word"
    return None


def check_length(record: Record) -> str | None:
    """English length far outside what human translations of the pair show."""
    if len(record.src) < MIN_LENGTH_CHARS or record.tgt is None:
        return None
    ratio = len(record.tgt) / len(record.src)
    low, high = LENGTH_BAND
    if ratio < low or ratio > high:
        return f"English is {ratio:.2f} times the source's length (expected {low}-{high})"
    return None


def check_low_score(record: Record) -> str | None:
    """The model was unsure."""
    if record.score is not None and record.score < LOW_SCORE:
        return f"model score {record.score:.2f} is below {LOW_SCORE}"
    return None


def check_forbidden(record: Record) -> str | None:
    """The English uses a rendering the glossary forbids for one of the record's terms."""
    if record.tgt is None:
        return None
    english = record.tgt.casefold()
    bad = [(hit.target, rendering) for hit in record.glossary for rendering in hit.forbidden
           if holds(english, rendering.casefold())]
    if not bad:
        return None
    return "; ".join(f"uses {rendering!r}, which the glossary forbids for {target!r}"
                     for target, rendering in bad)


def holds(english: str, rendering: str) -> bool:
    """Whether a rendering stands in the English as whole words."""
    return re.search(rf"(?<!\w){re.escape(rendering)}(?!\w)", english) is not None


def check_auto_name(record: Record) -> str | None:
    """An automatic name, not yet in the glossary: a reviewer confirms its English."""
    names = dict.fromkeys(f"{hit.term!r} → {hit.target!r}" for hit in record.glossary
                          if hit.auto)
    if not names:
        return None
    return "automatic name, not in the glossary yet: " + "; ".join(names)


CHECKS: dict[str, Callable[[Record], str | None]] = {
    "qa:number": check_number, "qa:url": check_url, "qa:untranslated": check_untranslated,
    "qa:repetition": check_repetition, "qa:length": check_length,
    "qa:low-score": check_low_score, "qa:forbidden": check_forbidden,
    "name:unconfirmed": check_auto_name,
}


def is_qa_flag(flag: str) -> bool:
    """Whether the checks set (and recompute) this flag."""
    return flag.startswith("qa:") or flag in CHECKS


def findings(record: Record) -> list[Finding]:
    """Every QA finding of a record with English (none for one without)."""
    if record.status not in WITH_ENGLISH or record.tgt is None:
        return []
    return [Finding(flag, reason) for flag, check in CHECKS.items()
            if (reason := check(record)) is not None]


def with_qa(record: Record) -> Record:
    """The record with its ``qa:*`` flags recomputed."""
    return with_qa_flags(record, tuple(f.flag for f in findings(record)))


def with_qa_flags(record: Record, found: tuple[str, ...]) -> Record:
    """The record with these QA flags (``qa:*``, ``name:unconfirmed``) in place of its own."""
    kept = tuple(f for f in record.flags if not is_qa_flag(f))
    if kept + found == record.flags:
        return record
    return replace(record, flags=kept + found)


def checked_fields(record: Record) -> str:
    """Everything the checks read of a record, as one string (to key stored flags).

    Whether the status is checked at all (so a cached record shares the key of the
    translated one it repeats), source, English, score, and each glossary term with whether
    it was found (and whether it is automatic).
    """
    terms = "\x1e".join(f"{hit.term}\x1d{hit.found:d}\x1d{hit.target}\x1d"
                        + "\x1c".join(hit.forbidden) + ("\x1dauto" if hit.auto else "")
                        for hit in record.glossary)
    checked = record.status in WITH_ENGLISH
    return f"{checked:d}\x1f{record.src}\x1f{record.tgt}\x1f{record.score!r}\x1f{terms}"


@dataclass
class QAReport:
    """A run's QA: counts per flag and per article, and every flagged segment."""

    flags: Counter[str]
    articles: dict[str, Counter[str]]
    segments: list[tuple[Record, list[Finding]]]


def qa_run(records: Iterable[Record]) -> QAReport:
    """Check every record of a run (the checks run again, so reasons are current)."""
    report = QAReport(Counter(), {}, [])
    for record in records:
        found = findings(record)
        if not found:
            continue
        report.flags.update(f.flag for f in found)
        report.articles.setdefault(record.article, Counter()).update(f.flag for f in found)
        report.segments.append((record, found))
    return report
