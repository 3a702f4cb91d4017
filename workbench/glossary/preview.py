"""What a glossary edit would re-translate in a run, before it is made.

A segment is translated again exactly when the glossary matches in it change (a term found or
no longer found there, or the English it must become): the matches decide the text the engine
sees, and so the cache key. The preview matches every translated segment of the run's
``records.jsonl`` under the glossary as it is and as the edit would leave it, with the same
dictionary forms a run uses, and lists those whose matches differ.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.cache.blobs import BlobBuffer
from workbench.cache.store import TranslationCache
from workbench.glossary.lemmas import lemma_matcher
from workbench.glossary.match import Matcher, initials, starts_in, token_starts
from workbench.glossary.store import Glossary, Term
from workbench.outputs.run_folder import read_records, run_cache
from workbench.records import TRANSLATED_KINDS, Status

#: Set while an edit is previewed: the edit validates, records the new glossary, writes nothing.
_PREVIEWED: contextvars.ContextVar[list[Glossary] | None] = contextvars.ContextVar(
    "previewed", default=None)


def previewing() -> list[Glossary] | None:
    """The list an edit under preview appends its validated glossary to (None: write it)."""
    return _PREVIEWED.get()


def edited_glossary(edit: Callable[[], Any]) -> tuple[Any, Glossary]:
    """Run a glossary edit without writing anything: its result and the glossary it makes."""
    found: list[Glossary] = []
    token = _PREVIEWED.set(found)
    try:
        result = edit()
    finally:
        _PREVIEWED.reset(token)
    if not found:
        raise RuntimeError("the edit validated no glossary")  # a bug: every edit validates
    return result, found[-1]


#: Statuses whose English a glossary edit can change on the next run.
MACHINE_ENGLISH = frozenset({Status.TRANSLATED, Status.CACHED})


@dataclass
class Preview:
    """The segments of a run an edit would translate again."""

    segments: list[tuple[str, int, str]] = field(default_factory=list)  # article, index, src
    per_article: Counter[str] = field(default_factory=Counter)


def preview(out_dir: Path, before: Glossary, after: Glossary,
            cache: TranslationCache | None = None) -> Preview:
    """Which translated segments of the run in ``out_dir`` the change would re-translate.

    ``cache``: the run's cache, when the caller has it open (the desk): a second connection
    to the same file in one process is what SQLite's POSIX locks cannot survive.
    """
    shown = Preview()
    changed = _changed_terms(before, after)
    if not changed:
        return shown
    # Only a segment where a changed entry could match can change: test that cheaply first.
    gates: dict[str, Matcher] = {}

    def gate(lang: str) -> Matcher:
        if lang not in gates:
            gates[lang] = Matcher(Glossary(tuple(changed), "changed"), lang)
        return gates[lang]

    with _lemma_store(out_dir, cache) as store:
        matchers: dict[tuple[int, str], Matcher] = {}

        def matches(glossary: Glossary, lang: str, text: str) -> list[tuple]:
            key = (id(glossary), lang)
            if key not in matchers:
                matchers[key] = lemma_matcher(glossary, lang, store)[0]
            return [(m.start, m.end, m.term.id, m.target) for m in matchers[key].find(text)]

        # ...and before that, on the raw line: most lines are never parsed.
        raw = _raw_gate(changed)
        for record in read_records(out_dir, keep=raw):
            # A reviewer's English is kept whatever the glossary says; a failed segment is
            # tried again anyway: neither is the edit's doing.
            if record.kind not in TRANSLATED_KINDS or record.status not in MACHINE_ENGLISH \
                    or not gate(record.src_lang).could_match(record.src):
                continue
            if matches(before, record.src_lang, record.src) != \
                    matches(after, record.src_lang, record.src):
                shown.segments.append((record.article, record.index, record.src))
                shown.per_article[record.article] += 1
    return shown


def _raw_gate(changed: list[Term]) -> Callable[[str], bool] | None:
    """A test of a record's raw line: False when no changed entry could match its source.

    The forms of every language together: a superset of what any one language's matcher
    tries. None (no test) when an entry has a pattern.
    """
    if any(term.patterns for term in changed):
        return None
    starts = token_starts(initials(form) for term in changed
                          for forms in term.forms.values() for form in forms)
    return lambda line: starts_in(starts, line)


def _changed_terms(before: Glossary, after: Glossary) -> list[Term]:
    """The entries an edit adds, removes or changes in what they match or must become."""
    def shape(term: Term) -> tuple:
        return (term.forms, term.patterns)

    old = {t.id: shape(t) for t in before.terms}
    new = {t.id: shape(t) for t in after.terms}
    changed = {i for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
    return [t for t in (*before.terms, *after.terms) if t.id in changed]


@contextlib.contextmanager
def _lemma_store(out_dir: Path, opened: TranslationCache | None
                 ) -> Iterator[BlobBuffer | None]:
    """The dictionary forms the run's cache holds, as the run itself used them."""
    if opened is not None:
        yield BlobBuffer(opened)
        return
    cache = run_cache(out_dir)
    if cache is None or not cache.is_file():
        yield None
        return
    with TranslationCache(cache) as opened:
        yield BlobBuffer(opened)
