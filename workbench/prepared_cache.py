"""Prepared articles and their glossary matches, cached by content.

Preparing an article (normalize, detect, label, segment, per-segment language) and matching
the glossary in it cost far more than looking up its translations. Both depend only on the
file's bytes and on code and settings that rarely change, so both are stored in the cache:

- ``prepared``: key = the file's bytes, the languages considered, and a fingerprint of the
  code that prepares (``workbench/text``) and of the workbench version;
- ``matched``: key = the prepared key, the glossary version and the matcher's code.

So an unchanged file costs a lookup; an edited file, a changed setting or a code change
prepares again exactly what it affects, and a glossary edit re-matches without re-preparing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench import __version__
from workbench.cache import TranslationCache
from workbench.glossary.lemmas import lemmas_version
from workbench.glossary.match import Match
from workbench.glossary.store import Glossary
from workbench.records import ArticleInfo, Kind, Segment
from workbench.text.html_page import HTML_SUFFIXES, extract_page, looks_like_html
from workbench.text.prepare import PreparedArticle, prepare_text
from workbench.text.reader import MAX_ARTICLE_BYTES, ArticleFile, decode_article, read_bytes

#: New entries are written in transactions of this many articles.
FLUSH_EVERY = 200
_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint(*relative: str) -> str:
    """Hash of the source files that decide an output, so any code change invalidates it."""
    digest = hashlib.sha256(__version__.encode())
    for pattern in relative:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


@dataclass
class Preparer:
    """Prepare articles through the cache; ``find`` matches the glossary in one segment."""

    cache: TranslationCache
    languages: tuple[str, ...]
    glossary: Glossary
    find: Callable[[Segment], tuple[Match, ...]]
    wanted: Callable[[Segment], bool]  # which segments are translated (and so matched)
    target: str = "en"
    reused: int = 0  # articles whose preparation came from the cache
    matched: int = 0  # articles whose glossary matches were computed in this run
    seconds: float = 0.0  # time spent preparing (the caller measures it)

    def __post_init__(self) -> None:
        self._pending: dict[str, dict[str, bytes]] = {"prepared": {}, "matched": {}}
        self._terms = {term.id: term for term in self.glossary.terms}
        self._code = code_fingerprint("text/*.py", "records.py")
        self._match_code = code_fingerprint("glossary/match.py", "glossary/store.py",
                                            "glossary/lemmas.py") + lemmas_version()

    def prepare(self, file: ArticleFile) -> PreparedArticle:
        """The prepared article with its matches, from the cache when the file is unchanged.

        Raises:
            InputError: the file cannot be read or decoded.
        """
        reader = _reader(file, data := _content(file))
        key = _key(self._code, ",".join(self.languages), reader, data)
        blob = self._pending["prepared"].get(key) or self.cache.get_blob("prepared", key)
        if blob is not None:
            article = _decode_article(blob, file)
            self.reused += 1
        else:
            article = _prepare(file, reader, data, self.languages)
            self._store("prepared", key, _encode_article(article))
        match_key = _key(key, self.glossary.version, self._match_code, self.target)
        blob = self._pending["matched"].get(match_key) or self.cache.get_blob("matched",
                                                                              match_key)
        matches = _decode_matches(blob, self._terms) if blob is not None else None
        if matches is None:
            matches = {seg.index: found for seg in article.segments
                       if self.wanted(seg) and (found := self.find(seg))}
            self._store("matched", match_key, _encode_matches(matches))
            self.matched += 1
        return PreparedArticle(article.info, article.segments, matches)

    def _store(self, table: str, key: str, blob: bytes) -> None:
        self._pending[table][key] = blob
        if sum(map(len, self._pending.values())) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write what was prepared since the last flush."""
        for table, blobs in self._pending.items():
            if blobs:
                self.cache.put_blobs(table, blobs)
                blobs.clear()


def _content(file: ArticleFile) -> bytes:
    """What identifies an article's content: its bytes, or a feed entry's fields."""
    if file.parts is not None:
        return file.data or b""
    return file.data if file.data is not None else read_bytes(file.path, MAX_ARTICLE_BYTES)


def _reader(file: ArticleFile, data: bytes) -> str:
    """How an article is read: ``feed`` (structured), ``html`` (a page) or ``text``."""
    if file.parts is not None:
        return "feed"
    suffix = file.path.suffix.lower()
    if suffix in HTML_SUFFIXES or (suffix != ".txt" and looks_like_html(data)):
        return "html"
    return "text"


def _prepare(file: ArticleFile, reader: str, data: bytes, languages: tuple[str, ...]
             ) -> PreparedArticle:
    if reader == "text":
        return prepare_text(file, decode_article(file.path, data), languages)
    parts = file.parts if reader == "feed" else extract_page(file.path, data)
    assert parts is not None
    return prepare_text(file, parts.text(), languages, parts)


def _encode_article(article: PreparedArticle) -> bytes:
    info = article.info.to_dict()
    del info["article"], info["path"]  # the same text under another name is the same work
    segments = [[s.kind.value, s.text, s.src_lang, s.line, list(s.flags)]
                for s in article.segments]
    return zlib.compress(json.dumps([info, segments], ensure_ascii=False).encode(), 1)


def _decode_article(blob: bytes, file: ArticleFile) -> PreparedArticle:
    info, segments = json.loads(zlib.decompress(blob))
    return PreparedArticle(
        ArticleInfo(article=file.article, path=file.shown_path, **info),
        tuple(Segment(file.article, index, Kind(kind), text, lang, line, tuple(flags))
              for index, (kind, text, lang, line, flags) in enumerate(segments)))


def _encode_matches(matches: dict[int, tuple[Match, ...]]) -> bytes:
    rows = [[index, [[m.term.id, m.start, m.end, m.surface, m.how, m.target] for m in found]]
            for index, found in matches.items()]
    return json.dumps(rows, ensure_ascii=False).encode()


def _decode_matches(blob: bytes, terms: dict) -> dict[int, tuple[Match, ...]] | None:
    matches = {}
    for index, found in json.loads(blob):
        if any(term_id not in terms for term_id, *_ in found):
            return None  # cannot happen for one glossary version; re-match to be safe
        matches[index] = tuple(Match(terms[term_id], start, end, surface, how, target)
                               for term_id, start, end, surface, how, target in found)
    return matches
