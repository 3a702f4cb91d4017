"""Concordance: every segment of the run whose source or English holds a phrase, with counts.

One pass over ``records.jsonl``: each line's raw text is tested first (a line that cannot
hold the phrase is never parsed), then the hits are checked against the English the desk
shows (approved English from the cache wins). Case is ignored; spacing is normalised.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from workbench.desk.session import DeskError, DeskSession
from workbench.outputs.run_folder import RECORDS

#: Segments a search lists (all are counted).
SHOWN = 200
MIN_CHARS = 2
MAX_CHARS = 200


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
        approved_sources = _approved_sources(session, phrase)
        needles = [json.dumps(phrase, ensure_ascii=False)[1:-1],
                   *(json.dumps(s, ensure_ascii=False)[1:-1].casefold()
                     for s in approved_sources)]
        hits = []
        with (session.out_dir / RECORDS).open("rb") as handle:
            for entry in session.index.articles.values():
                if not entry.end:
                    continue
                # Articles come in file order: one sequential read; only hits are parsed.
                handle.seek(entry.start)
                chunk = handle.read(entry.end - entry.start).decode("utf-8", "replace")
                if not any(n in chunk.casefold() for n in needles):
                    continue
                hits.extend((entry, r) for r in session.records(entry.article)
                            if phrase in r.src.casefold()
                            or phrase in (r.tgt or "").casefold())
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


def _approved_sources(session: DeskSession, phrase: str) -> list[str]:
    """Sources whose approved English holds the phrase (records.jsonl may not have it yet)."""
    return [source for source, target in session.cache.approved_texts()
            if phrase in target.casefold()]
