"""Concordance: every segment of the run whose source or English holds a phrase, with counts.

One pass over ``records.jsonl`` with one case-insensitive pattern: a line that cannot hold
the phrase is never parsed. The hits are checked against the English the desk shows (approved
English from the cache wins). Case is ignored; spacing is normalised.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from workbench.desk.session import DeskError, DeskSession
from workbench.outputs.run_folder import RECORDS
from workbench.records import Record
from workbench.text.normalize import json_without_surrogates

#: Segments a search lists (all are counted).
SHOWN = 200
MIN_CHARS = 2
MAX_CHARS = 200
#: Bytes of records.jsonl searched at a time.
CHUNK_BYTES = 4 << 20


def concordance(session: DeskSession, query: str) -> dict[str, Any]:
    """Search source and English across the run.

    Returns the hits (article, index, headline, source, English, where it matched), how many
    there are in the source and in the English, per language, and, for a source phrase the
    glossary knows, the English entries it was rendered as.
    """
    phrase = " ".join(query.split()).casefold()
    if not MIN_CHARS <= len(phrase) <= MAX_CHARS:
        raise DeskError(f"search for {MIN_CHARS} to {MAX_CHARS} characters")
    with session.lock:
        session.refresh()
        wanted = [phrase, *_approved_sources(session, phrase)]
        hits = [(session.index.articles[r.article], r)
                for r in session.shown(list(_lines_holding(session, wanted)))
                if phrase in r.src.casefold() or phrase in (r.tgt or "").casefold()]
    in_source = in_english = 0
    languages: Counter[str] = Counter()
    renderings: Counter[str] = Counter()
    shown = []
    for entry, record in hits:
        where = []
        if phrase in record.src.casefold():
            in_source += 1
            where.append("source")
            renderings.update({hit.target for hit in record.glossary
                               if phrase in hit.term.casefold()
                               or hit.term.casefold() in phrase})
        if phrase in (record.tgt or "").casefold():
            in_english += 1
            where.append("english")
        languages[record.src_lang] += 1
        if len(shown) < SHOWN:
            shown.append({"article": entry.article, "headline": entry.headline,
                          "index": record.index, "src_lang": record.src_lang,
                          "src": record.src, "tgt": record.tgt,
                          "status": record.status.value, "where": where})
    return {"query": query, "total": len(hits), "in_source": in_source,
            "in_english": in_english, "languages": dict(languages.most_common()),
            "renderings": dict(renderings.most_common(10)), "segments": shown}


def _lines_holding(session: DeskSession, texts: list[str]) -> Iterator[Record]:
    """Records whose line holds any of the texts, ignoring case; only those are parsed.

    The file is read a few megabytes at a time (the desk's memory stays flat) and searched
    with one case-insensitive pattern (``regex``'s full case folding).
    """
    import regex

    pattern = regex.compile("|".join(regex.escape(json.dumps(t, ensure_ascii=False)[1:-1])
                                     for t in texts), regex.IGNORECASE | regex.V1)
    path = session.out_dir / RECORDS
    with path.open("rb") as handle:
        while lines := handle.readlines(CHUNK_BYTES):
            text = b"".join(lines).decode("utf-8", "replace")
            last = -1
            for match in pattern.finditer(text):
                start = text.rfind("\n", 0, match.start()) + 1
                if start <= last:
                    continue  # this line was taken already
                end = text.find("\n", match.end())
                last = start
                line = text[start:end if end >= 0 else len(text)]
                yield Record.from_dict(json_without_surrogates(line))


def _approved_sources(session: DeskSession, phrase: str) -> list[str]:
    """Sources whose approved English holds the phrase (records.jsonl may not have it yet)."""
    return [source for source, target in session.cache.approved_texts()
            if phrase in target.casefold()]
