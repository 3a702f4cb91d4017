"""How prepared articles and their glossary matches are stored.

The same bytes go into the cache and come back from a worker process.
"""

from __future__ import annotations

import json
import zlib

from workbench.glossary.match import Match
from workbench.records import ArticleInfo, Kind, Segment
from workbench.text.prepare import PreparedArticle
from workbench.text.reader import ArticleFile


def encode_prepared(article: PreparedArticle) -> bytes:
    """The article as stored: compact JSON, compressed; its id and path are not part of it."""
    info = article.info.to_dict()
    del info["article"], info["path"]  # the same text under another name is the same work
    segments = [[s.kind.value, s.text, s.src_lang, s.line, list(s.flags)]
                for s in article.segments]
    return zlib.compress(json.dumps([info, segments], ensure_ascii=False).encode(), 1)


def decode_prepared(blob: bytes, file: ArticleFile) -> PreparedArticle | None:
    """The stored article, as ``file`` (its id and path); None when the blob is damaged."""
    try:
        info, segments = json.loads(zlib.decompress(blob))
        return PreparedArticle(
            ArticleInfo.from_dict({**info, "article": file.article, "path": file.shown_path}),
            tuple(Segment(file.article, index, Kind(kind), _text(text), _text(lang),
                          _whole(line), tuple(map(_text, flags)))
                  for index, (kind, text, lang, line, flags) in enumerate(segments)))
    except (zlib.error, ValueError, TypeError):  # damaged or foreign: prepared again
        return None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _whole(value: object) -> int:
    if type(value) is not int:
        raise TypeError("not a whole number")
    return value


def encode_matches(matches: dict[int, tuple[Match, ...]]) -> bytes:
    """Glossary matches by segment index, terms by id."""
    rows = [[index, [[m.term.id, m.start, m.end, m.surface, m.how, m.target] for m in found]]
            for index, found in matches.items()]
    return json.dumps(rows, ensure_ascii=False).encode()


def decode_matches(blob: bytes, terms: dict) -> dict[int, tuple[Match, ...]] | None:
    """The stored matches with ``terms`` (by id); None if a term is no longer there.

    Raises:
        ValueError: the blob is damaged or not ours.
    """
    matches = {}
    try:
        for index, found in json.loads(blob):
            if any(term_id not in terms for term_id, *_ in found):
                return None  # cannot happen for one glossary version; re-match to be safe
            matches[int(index)] = tuple(
                Match(terms[term_id], int(start), int(end), surface, how, target)
                for term_id, start, end, surface, how, target in found)
    except (ValueError, TypeError, KeyError) as err:  # damaged or foreign: matched again
        raise ValueError("damaged matches") from err
    return matches
