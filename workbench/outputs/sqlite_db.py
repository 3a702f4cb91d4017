"""``records.db``: a run as a SQLite database for SQL and Datasette.

Tables (built with sqlite-utils, streamed article by article):

- ``articles``: one row per article (``article`` is the key), the fields of articles.jsonl,
  its ``title`` and ``title_en``, and counts: segments per kind (``kind_body``...), per
  status (``status_translated``...) and ``flagged`` segments;
- ``records``: one row per record (``id``; ``article`` references ``articles``; indexes on
  ``article`` and ``status``; ``flags`` and ``glossary`` also kept as JSON text);
  ``src_stems`` holds the source's words as Snowball stems, for search by base form;
- ``glossary_hits``: one row per matched term (``record_id`` references ``records``), with
  ``target``, ``found``, ``enforced`` and ``cause``, so "every missed term" is one query;
- ``flags``: one row per record flag (``record_id``, ``flag``, ``param``: ``near-duplicate-of:9``
  is the flag ``near-duplicate-of`` with the param ``9``, so facets count flags, not copies);
- ``records_fts``: full-text search over ``src``, ``tgt`` and ``src_stems``, ignoring
  diacritics (``Luong Cuong`` finds ``Lương Cường``) and case endings (the Russian base form
  of a name finds its instrumental).

The database is built beside the final path and renamed into place, so a failed export
leaves the previous one (or none).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from workbench.errors import OutputError
from workbench.outputs.atomic import _umask
from workbench.records import ArticleInfo, Kind, Record, Status
from workbench.text.stems import stem_words

#: Rows per insert batch: memory stays bounded whatever the run's size.
BATCH = 2000


def write_sqlite(articles: Iterable[tuple[ArticleInfo, list[Record]]], path: Path) -> int:
    """Write the database; return the number of records.

    Raises:
        OutputError: the folder cannot be written (read-only, full).
    """
    import sqlite_utils

    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    db = None
    try:
        temp.unlink(missing_ok=True)
        db = sqlite_utils.Database(temp)
        _create(db)
        count = 0
        tables: dict[str, list[dict]] = {"articles": [], "records": [], "glossary_hits": [],
                                         "flags": []}
        for table, row in _rows(articles):
            if table == "records":
                count += 1
            tables[table].append(row)
            if len(tables[table]) >= BATCH:
                db[table].insert_all(tables[table])
                tables[table].clear()
        for table, pending in tables.items():
            if pending:
                db[table].insert_all(pending)
        db["records"].enable_fts(["src", "tgt", "src_stems"], fts_version="FTS5",
                                 tokenize="unicode61 remove_diacritics 2")
        db.conn.commit()
        db.close()
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except (OSError, sqlite3.Error) as err:
        if db is not None:
            db.close()
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise OutputError(path, f"cannot write: {getattr(err, 'strerror', None) or err}"
                          ) from err
    return count


def _create(db: object) -> None:
    db["articles"].create({  # type: ignore[index]
        "article": str, "path": str, "title": str, "title_en": str, "lang": str,
        "lang_confidence": float, "source_url": str, "byline": str, "site": str, "date": str,
        "segments": str, "removed_chars": int, "error": str,
        **{f"kind_{kind.value}": int for kind in Kind},
        **{_status_column(status): int for status in Status}, "flagged": int},
        pk="article")
    db["records"].create({  # type: ignore[index]
        "id": int, "article": str, "index": int, "kind": str, "src_lang": str, "src": str,
        "tgt_lang": str, "tgt": str, "status": str, "score": float, "line": int,
        "flags": str, "glossary": str, "src_stems": str}, pk="id",
        foreign_keys=[("article", "articles")])
    db["glossary_hits"].create({  # type: ignore[index]
        "record_id": int, "term": str, "target": str, "found": int, "enforced": str,
        "cause": str}, foreign_keys=[("record_id", "records")])
    db["flags"].create({"record_id": int, "flag": str, "param": str},  # type: ignore[index]
                       foreign_keys=[("record_id", "records")])
    db["records"].create_index(["article", "index"], unique=True)  # type: ignore[index]
    db["records"].create_index(["status"])  # type: ignore[index]
    db["glossary_hits"].create_index(["record_id"])  # type: ignore[index]
    db["glossary_hits"].create_index(["target"])  # type: ignore[index]
    db["flags"].create_index(["record_id"])  # type: ignore[index]
    db["flags"].create_index(["flag"])  # type: ignore[index]


def _rows(articles: Iterable[tuple[ArticleInfo, list[Record]]]
          ) -> Iterator[tuple[str, dict]]:
    """(table, row) of every article and record; records are numbered from 1."""
    record_id = 0
    for info, records in articles:
        article = info.to_dict()
        article["segments"] = json.dumps(article["segments"])
        title = next((r for r in records if r.kind == Kind.TITLE), None)
        statuses = Counter(r.status for r in records)
        yield "articles", {
            **article, "title": title.src if title else None,
            "title_en": title.tgt if title else None,
            **{f"kind_{kind.value}": info.segments.get(kind.value, 0) for kind in Kind},
            **{_status_column(status): statuses[status] for status in Status},
            "flagged": sum(bool(r.flags) for r in records)}
        for record in records:
            record_id += 1
            data = record.to_dict()
            yield "records", {
                "id": record_id, **{k: data[k] for k in (
                    "article", "index", "kind", "src_lang", "src", "tgt_lang", "tgt",
                    "status", "score", "line")},
                "flags": json.dumps(data["flags"], ensure_ascii=False),
                "glossary": json.dumps(data["glossary"], ensure_ascii=False),
                "src_stems": stems(record.src, record.src_lang)}
            for hit in record.glossary:
                yield "glossary_hits", {"record_id": record_id, "term": hit.term,
                                        "target": hit.target, "found": int(hit.found),
                                        "enforced": hit.enforced, "cause": hit.cause or None}
            for flag in record.flags:
                name, param = _flag_and_param(flag)
                yield "flags", {"record_id": record_id, "flag": name, "param": param}


def _status_column(status: Status) -> str:
    return f"status_{status.value.replace('-', '_')}"


_PARAMETER = re.compile(r"^(?P<flag>.+?):(?P<param>\d+)$")


def _flag_and_param(flag: str) -> tuple[str, str | None]:
    """``near-duplicate-of:9`` -> (``near-duplicate-of``, ``9``); ``qa:length`` has none."""
    match = _PARAMETER.match(flag)
    return (match["flag"], match["param"]) if match else (flag, None)


_WORD = re.compile(r"\w+")


def stems(text: str, lang: str) -> str:
    """The text's words as Snowball stems, so a search for a base form finds its case forms.

    Russian and Polish names inflect: the instrumental of To Lam is stored as its stem.
    """
    return " ".join(stem_words(_WORD.findall(text), lang))
