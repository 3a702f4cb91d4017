"""The run's unseen Vietnamese names, found once over all of its sources.

Names are found per run, not per chunk: a first pass over the prepared articles collects the
text of every segment the run will translate, in the language it will be translated from,
so a Russian name takes the Latin spelling any article of the run has for it. Preparation is
cached, so the second pass (the one that translates) reads each article back from the cache;
so are the names, keyed by every text, the glossary version and the finder's code.
The review desk finds the same names in a run's records (:func:`names_in_records`), so what
it translates again has the run's cache keys; ``glossary suggest`` lists those a run used
(:func:`used_names`), each with the command that accepts it.
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import TYPE_CHECKING

from workbench.cache.fingerprint import code_fingerprint
from workbench.cache.keys import key_of
from workbench.cache.store import TranslationCache
from workbench.errors import InputError
from workbench.glossary.auto_names import FAMILY_NAMES, AutoName, AutoNames, auto_terms
from workbench.glossary.match import AUTO_FILE, fold
from workbench.glossary.store import Glossary, Term
from workbench.records import Record, Segment
from workbench.run.pipeline import RunContext, needs_translation, plausible_language
from workbench.run.preparer import MatchedArticle

if TYPE_CHECKING:
    from workbench.glossary.suggest import Candidate

#: The code that decides a run's names: a change finds them again.
NAMES_CODE = ("workbench.glossary.auto_names", "workbench.glossary.vietnamese",
              "workbench.glossary.names", "workbench.glossary.match", "workbench.run.auto")
#: Names are derived from the glossary and the sources, like the glossary's matches, and
#: kept (and pruned) with them.
NAMES_TABLE = "matched"


def source_texts(items: Iterable[MatchedArticle | InputError], t: RunContext
                 ) -> dict[str, list[str]]:
    """Each source language's texts of the segments a run translates (errors skipped).

    The same segments, in the same language, as the translation step sends to a model.
    """
    texts: dict[str, list[str]] = {}
    for item in items:
        if isinstance(item, MatchedArticle):
            for seg in item.segments:
                if needs_translation(seg, t.tgt):
                    seg = plausible_language(seg, item.info.lang, t)
                    texts.setdefault(seg.src_lang, []).append(seg.text)
    return texts


def names_in_records(records: Iterable[Record], glossary: Glossary, tgt: str,
                     cache: TranslationCache | None = None) -> AutoNames | None:
    """The automatic names a run of these records finds (None: none).

    Records carry the language the run settled on, so the texts are the run's own.
    """
    texts: dict[str, list[str]] = {}
    for r in records:
        seg = Segment(r.article, r.index, r.kind, r.src, r.src_lang, r.line)
        if needs_translation(seg, tgt):
            texts.setdefault(r.src_lang, []).append(r.src)
    return run_names(texts, glossary, cache)


def run_names(texts: dict[str, list[str]], glossary: Glossary,
              cache: TranslationCache | None = None) -> AutoNames | None:
    """The names of a run's texts; None when there are none, so the run is as without.

    With a ``cache``, found once per set of texts, glossary and code: a re-run reads them.
    """
    key = key_of(chain(("auto-names", code_fingerprint(*NAMES_CODE), glossary.version),
                       (f"{lang}\x1f{text}" for lang in sorted(texts) for text in texts[lang])))
    blob = cache.get_blob(NAMES_TABLE, key) if cache is not None else None
    if blob is not None:
        try:
            return _decoded(blob, glossary)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            cache.damaged += 1  # type: ignore[union-attr]  # found again, stored over it
    names = auto_terms(texts, glossary) if texts else None
    names = names if names is not None and names.names else None
    if cache is not None:
        cache.put_blobs(NAMES_TABLE, {key: _encoded(names)})
    return names


def _encoded(names: AutoNames | None) -> bytes:
    if names is None:
        return b"null"
    index = {id(name): i for i, name in enumerate(names.names)}
    return json.dumps({
        "names": [{"english": n.english, "kind": n.kind, "evidence": n.evidence,
                   "alternatives": list(n.alternatives), "note": n.term.note,
                   "forms": [[lang, list(c.items())] for lang, c in n.forms.items()],
                   "order": list(n.term.forms)} for n in names.names],
        "keys": [[script, list(key), index[id(name)]]
                 for (script, key), name in names._keys.items()]},
        ensure_ascii=False).encode()


def _decoded(blob: bytes, glossary: Glossary) -> AutoNames | None:
    """The names a blob holds (raises on a damaged one)."""
    data = json.loads(blob)
    if data is None:
        return None
    names = []
    for n in data["names"]:
        forms = {str(lang): Counter({str(f): int(k) for f, k in items})
                 for lang, items in n["forms"]}
        term = Term(target=str(n["english"]), type=str(n["kind"]), note=str(n["note"]),
                    file=AUTO_FILE, forms={lang: tuple(forms[lang]) for lang in n["order"]})
        names.append(AutoName(term.target, term.type, forms, str(n["evidence"]),
                              tuple(map(str, n["alternatives"])), term))
    keys = {(str(script), tuple(map(str, key))): names[i] for script, key, i in data["keys"]}
    return AutoNames(names, keys, glossary)


def used_names(records: Iterable[Record], glossary: Glossary) -> list[Candidate]:
    """The automatic names a run's records carry, most frequent first, as glossary candidates.

    What the run used: each automatic hit (``"auto": true``), grouped by its English, with
    every source form per language. A name the glossary has as an entry since is left out.
    The type is a person when the name starts with a family name, else a place (the
    finder's own first rule).
    """
    # Imported here: a run never needs the suggestions module, only `glossary suggest`.
    from workbench.glossary.suggest import Candidate

    curated = {fold(term.target) for term in glossary.terms}
    found: dict[str, Candidate] = {}
    for record in records:
        for hit in record.glossary:
            if not hit.auto or fold(hit.target) in curated:
                continue
            name = found.get(hit.target)
            if name is None:
                first = fold(hit.target.split()[0]) if hit.target.split() else ""
                name = found[hit.target] = Candidate(
                    hit.target, "person" if first in FAMILY_NAMES else "place", example=record)
            name.forms[hit.term] += 1
            name.by_lang.setdefault(record.src_lang, Counter())[hit.term] += 1
            name.languages.add(record.src_lang)
            name.articles.add(record.article)
            name.english[hit.target] += 1
    return sorted(found.values(), key=lambda c: (-c.occurrences, -len(c.articles), c.source))


def accept_command(name: Candidate) -> str:
    """The ``workbench glossary add`` line that accepts an automatic name with every form."""
    forms = [f"{lang}={form}" for lang, counter in sorted(name.by_lang.items())
             for form, _ in counter.most_common()]
    return shlex.join(["workbench", "glossary", "add", name.source, "--type", name.type,
                       *[part for form in forms for part in ("--form", form)]])


def covered(candidate: Candidate, names: Iterable[Candidate]) -> bool:
    """Whether a mined candidate is one of the automatic names (a form in common)."""
    return any(not candidate.forms.keys().isdisjoint(name.forms) for name in names)
