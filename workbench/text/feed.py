"""Article feeds: JSON Lines or CSV exports where each line or row is one article.

Streamed: a line is read, checked and turned into an article before the next is read, so a
feed of any size is never held in memory. A bad line (not JSON, no text, a field of the wrong
type) is one error naming ``file:line``; the other lines go on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from workbench.display import safe_text
from workbench.errors import InputError
from workbench.files import open_regular
from workbench.records import Kind
from workbench.text.normalize import parse_json, replace_surrogates
from workbench.text.parts import ArticleParts
from workbench.text.reader import MAX_ARTICLE_BYTES

FEED_SUFFIXES = (".jsonl", ".csv")
#: Each article field and the feed fields it is read from, first present wins.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id",), "url": ("url",), "title": ("title",), "text": ("text", "body", "content"),
    "date": ("date", "published"), "author": ("author",), "lang": ("lang",),
}
#: CSV fields may be long (a whole article in one cell).
csv.field_size_limit(MAX_ARTICLE_BYTES)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One article of a feed: where it is, its id, the bytes that identify its content."""

    article: str
    path: Path
    line: int
    parts: ArticleParts
    key: bytes


def field_names(overrides: Mapping[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    """The default field names with ``--field NAME=FEEDFIELD`` overrides applied.

    Raises:
        ValueError: an override names no article field.
    """
    fields = dict(DEFAULT_FIELDS)
    for name, feed_field in (overrides or {}).items():
        if name not in fields:
            raise ValueError(f"unknown article field {name!r}; use one of "
                             f"{', '.join(DEFAULT_FIELDS)}")
        fields[name] = (feed_field,)
    return fields


def read_feed(path: Path, fields: Mapping[str, tuple[str, ...]]
              ) -> Iterator[FeedEntry | InputError]:
    """Each entry of a feed, or an error naming its line.

    Raises:
        InputError: the file itself cannot be read (special file, unreadable).
    """
    rows = _csv_rows(path) if path.suffix.lower() == ".csv" else _json_rows(path)
    seen = False
    for line, row in rows:
        seen = True
        if isinstance(row, InputError):
            yield row
            continue
        try:
            yield _entry(path, line, row, fields)
        except InputError as err:
            yield err
    if not seen:
        yield InputError(path, "no articles in this feed (empty, or a header and no rows)")


def _json_rows(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    with open_regular(path) as handle:
        line = 0
        while raw := handle.readline(MAX_ARTICLE_BYTES + 1):
            line += 1
            if len(raw) > MAX_ARTICLE_BYTES:
                while raw and not raw.endswith(b"\n"):  # skip the rest, a piece at a time
                    raw = handle.readline(MAX_ARTICLE_BYTES)
                yield line, InputError(path, f"line too long (over {MAX_ARTICLE_BYTES} bytes)",
                                       line)
                continue
            if not raw.strip():
                continue
            try:
                row = parse_json(raw.decode("utf-8-sig" if line == 1 else "utf-8"))
            except UnicodeDecodeError as err:
                yield line, InputError(path, f"not valid UTF-8 (byte 0x{raw[err.start]:02x})",
                                       line)
                continue
            except json.JSONDecodeError as err:
                where = f" at column {err.colno}" if err.pos else ""
                yield line, InputError(path, f"not valid JSON ({err.msg}{where})", line)
                continue
            if not isinstance(row, dict):
                yield line, InputError(path, f"expected a JSON object (got "
                                             f"{type(row).__name__})", line)
                continue
            yield line, row


def _csv_rows(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    with open_regular(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text)
        line = 1
        try:
            names = reader.fieldnames or []
            twice = first_repeated(names)
            if twice is not None:  # DictReader would keep the last and drop the other
                yield 1, InputError(path, f"the header names the column {twice!r} twice "
                                          "(rename one); the file is skipped", 1)
                return
            for row in reader:
                start, line = line + 1, reader.line_num
                if None in row:
                    yield start, InputError(path, f"more cells than the header's "
                                                  f"{len(reader.fieldnames or [])}", start)
                    continue
                yield start, row
        except UnicodeDecodeError as err:
            yield line + 1, InputError(path, f"not valid UTF-8 ({err.reason}); the rest of "
                                             "the file is skipped", line + 1)
        except csv.Error as err:
            yield line + 1, InputError(path, f"not valid CSV ({err}); the rest of the file "
                                             "is skipped", line + 1)


def _entry(path: Path, line: int, row: dict, fields: Mapping[str, tuple[str, ...]]
           ) -> FeedEntry:
    values: dict[str, str | None] = {}
    for name, candidates in fields.items():
        value = next((row[c] for c in candidates if row.get(c) not in (None, "")), None)
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise InputError(path, f"field {_used(row, candidates)!r} must be text (got "
                                   f"{type(value).__name__})", line)
        if value and name not in ("text", "title"):  # lines: normalization replaces, counts
            value = replace_surrogates(value)[0]
        values[name] = value.strip() if value else None
    text = values["text"]
    if not text:
        raise InputError(path, f"no article text (field {' or '.join(fields['text'])})", line)
    title = values["title"]
    body = [paragraph for paragraph in text.splitlines() if paragraph.strip()]
    lines: list[tuple[Kind | None, str]] = [(Kind.TITLE, title)] if title else []
    lines += [(None, paragraph) for paragraph in body]
    url = values["url"]
    parts = ArticleParts(lines=lines, source_url=url, site=_host(url), date=values["date"],
                         byline=values["author"], lang=_language(values["lang"]))
    article = safe_text(values["id"]) if values["id"] else f"{safe_text(path.stem)}:{line}"
    key = json.dumps([values[n] for n in sorted(values)], ensure_ascii=False).encode(
        "utf-8", "surrogatepass")
    return FeedEntry(article, path, line, parts, key)


def _used(row: dict, candidates: tuple[str, ...]) -> str:
    return next((c for c in candidates if row.get(c) not in (None, "")), candidates[0])


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _language(value: str | None) -> str | None:
    """A declared language as a code (``pl``, ``pl-PL`` -> ``pl``); others are ignored."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code.isascii() and code.isalpha() and 2 <= len(code) <= 3 else None


def first_repeated(names: Sequence[str]) -> str | None:
    """The first name a CSV header repeats; linear, whatever the header's width."""
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            return name
        seen.add(name)
    return None
