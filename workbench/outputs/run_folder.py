"""A run's output folder: the one place that names its files, writes and reads them.

``records.jsonl`` holds every record in article order and ``articles.jsonl`` one line per
article in the same order, so both are read back together, one article at a time: memory
stays bounded by the largest article, not the run. A damaged line is reported as
``file:line: problem``, never as a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.display import display_path
from workbench.errors import InputError
from workbench.outputs.atomic import atomic_write
from workbench.outputs.jsonl import dumps
from workbench.records import ArticleInfo, FieldError, Record, Status
from workbench.text.normalize import json_without_surrogates

_CACHED = f'"status":"{Status.CACHED.value}"'
_TRANSLATED = f'"status":"{Status.TRANSLATED.value}"'
RECORDS = "records.jsonl"
ARTICLES = "articles.jsonl"
MANIFEST = "run.json"
TMX = "records.tmx"
XLIFF = "records.xlf"
REVIEW = "review.html"
REVIEW_PAGES = "review"  # one page per article, linked from review.html
RECORDS_DB = "records.db"
OMEGAT = "omegat"  # one OmegaT project per language pair
PARTS = "parts"  # a cluster run's outputs, part by part, and their manifest
PARTS_MANIFEST = "manifest.json"


class RunWriter:
    """Stream articles and their records into the run folder, atomically on close."""

    def __init__(self, out_dir: Path, records: str = RECORDS, articles: str = ARTICLES
                 ) -> None:
        """``records`` and ``articles``: the files' names in ``out_dir`` (a part's, say)."""
        self.out_dir = out_dir
        self._names = (records, articles)
        self._stack = contextlib.ExitStack()
        self._digest = hashlib.sha256()
        self._shown = hashlib.sha256()

    def __enter__(self) -> RunWriter:
        records, articles = self._names
        self._records = self._stack.enter_context(atomic_write(self.out_dir / records))
        self._articles = self._stack.enter_context(atomic_write(self.out_dir / articles))
        return self

    def write(self, info: ArticleInfo, records: tuple[Record, ...] | list[Record]) -> None:
        """Append one article and its records."""
        self.write_lines(dumps(info.to_dict()) + "\n",
                         [dumps(record.to_dict()) + "\n" for record in records])

    def write_lines(self, info_line: str, record_lines: list[str]) -> None:
        """Append one article as the JSON lines :func:`raw_articles` read (copied as is)."""
        self._articles.write(info_line)
        for line in record_lines:  # write() names the file on a full disk; writelines would not
            self._records.write(line)
        hash_article(self._digest, info_line, record_lines)
        # The derived outputs show a cached record as translated. The key's quotes are bare
        # only as the key: inside a text they are escaped.
        hash_article(self._shown, info_line,
                     (line.replace(_CACHED, _TRANSLATED, 1) for line in record_lines))

    @property
    def digest(self) -> str:
        """Hash of everything written: equal digests mean equal records and articles."""
        return self._digest.hexdigest()

    def outputs_digest(self, glossary_version: str) -> str:
        """Hash of what the derived outputs show, and of what else they depend on.

        Records count with ``cached`` as ``translated``; the glossary version (the review
        index names it) and the workbench version (its templates) are added. Equal digests
        mean equal TMX, XLIFF and review pages, which need not be written again.
        """
        shown = self._shown.copy()
        shown.update(f"|{glossary_version}|{__version__}".encode())
        return shown.hexdigest()

    def __exit__(self, *exc: Any) -> bool | None:
        return self._stack.__exit__(*exc)


def hash_article(hasher: Any, info_line: str, record_lines: Iterable[str]) -> None:
    """Add one article's lines to a digest, as :attr:`RunWriter.digest` counts them."""
    hasher.update(info_line.encode())
    for line in record_lines:
        hasher.update(line.encode())


def write_manifest(out_dir: Path, manifest: dict) -> None:
    """Write ``run.json``."""
    with atomic_write(out_dir / MANIFEST) as out:
        json.dump(manifest, out, ensure_ascii=False, indent=2)
        out.write("\n")


def read_manifest(out_dir: Path) -> dict:
    """``run.json``, or ``{}`` when the run has none."""
    path = out_dir / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json_without_surrogates(path.read_text("utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON ({err.msg})", err.lineno) from err
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, f"cannot read ({err})") from err
    if not isinstance(data, dict):
        raise InputError(path, "not a run manifest (expected a JSON object)", 1)
    return data


def previous_manifest(out_dir: Path) -> dict:
    """The manifest a folder holds before a run overwrites it; ``{}`` if none or damaged."""
    try:
        return read_manifest(out_dir)
    except InputError:
        return {}


def run_cache(out_dir: Path) -> Path | None:
    """The cache the run in ``out_dir`` used, as its ``run.json`` names it (None: unknown)."""
    cache = previous_manifest(out_dir).get("cache")
    return Path(cache) if isinstance(cache, str) and cache else None


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line; a bad line is a file:line error."""
    for number, _, _, _, data in _placed_lines(path):
        yield number, data


def _placed_lines(path: Path, keep: Callable[[str], bool] | None = None
                  ) -> Iterator[tuple[int, int, int, str, dict]]:
    """(number, start byte, end byte, line, object) of each non-blank line ``keep`` keeps.

    The line is as written, its newline included (a rewrite copies it unchanged).
    """
    if not path.is_file():
        if (path.parent / PARTS / PARTS_MANIFEST).is_file():
            raise InputError(path, f"not merged yet: a cluster run wrote {PARTS}/; "
                                   f"`workbench export {display_path(path.parent)}` merges it")
        raise InputError(path, "missing; run `workbench translate` first")
    with _reading(path), path.open("rb") as handle:
        offset = 0
        for number, raw in enumerate(handle, 1):
            start, offset = offset, offset + len(raw)
            if raw.strip() and (keep is None or keep(line := raw.decode("utf-8"))):
                line = raw.decode("utf-8") if keep is None else line
                yield number, start, offset, line, _object(line, path, number)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Reading a run's JSON Lines: undecodable bytes and read errors name the file."""
    try:
        yield
    except UnicodeDecodeError as err:
        raise InputError(path, f"not valid UTF-8 ({err.reason})") from err
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err


def _object(line: str, path: Path, number: int) -> dict:
    try:
        data = json_without_surrogates(line)
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON ({err.msg})", number) from err
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object", number)
    return data


def placed_records(out_dir: Path) -> Iterator[tuple[int, int, Record]]:
    """Every record of a run with the byte range of its line, to read it back later."""
    path = out_dir / RECORDS
    for number, start, end, _, data in _placed_lines(path):
        yield start, end, _typed(Record.from_dict, data, path, number, "record")


def records_between(out_dir: Path, start: int, end: int) -> list[Record]:
    """The records whose lines fill a byte range :func:`placed_records` gave."""
    path = out_dir / RECORDS
    with _reading(path), path.open("rb") as handle:
        handle.seek(start)
        lines = handle.read(end - start).decode("utf-8").splitlines()
    return [_typed(Record.from_dict, _object(line, path, 0), path, 0, "record")
            for line in lines if line.strip()]


def raw_articles(out_dir: Path, records_name: str = RECORDS, articles_name: str = ARTICLES,
                 checked: bool = False) -> Iterator[tuple[str, str, list[tuple[str, dict]]]]:
    """(article id, its articles.jsonl line, its records' (line, object)), as written.

    For rewriting a run with a few articles changed: the others are copied as they are,
    never built into records. The names may be a part's (``outputs.parts``). ``checked``:
    each line is also typed field by field (a file not written by this run: a part), so a
    bad one is a file:line error before anything built from it is written.
    """
    records_path, articles_path = out_dir / records_name, out_dir / articles_name
    records = ((line, _checked(Record.from_dict, data, records_path, number, "record")
                if checked else data)
               for number, _, _, line, data in _placed_lines(records_path))
    pending = next(records, None)
    for number, _, _, info_line, info in _placed_lines(articles_path):
        if checked:
            _typed(ArticleInfo.from_dict, info, articles_path, number, "article line")
        article = info.get("article")
        own = []
        while pending is not None and pending[1].get("article") == article:
            own.append(pending)
            pending = next(records, None)
        yield str(article), info_line, own
    if pending is not None:
        raise InputError(out_dir / records_name, f"record of article {pending[1].get('article')!r} "
                         f"is not in {ARTICLES} order (the two files are from different runs?)")


def read_article_infos(out_dir: Path) -> Iterator[ArticleInfo]:
    """Each article line of a run, without its records."""
    path = out_dir / ARTICLES
    for number, data in _lines(path):
        yield _typed(ArticleInfo.from_dict, data, path, number, "article line")


def read_records(out_dir: Path, keep: Callable[[str], bool] | None = None
                 ) -> Iterator[Record]:
    """Every record of a run, in order, typed; ``keep`` skips raw lines before parsing."""
    path = out_dir / RECORDS
    for number, _, _, _, data in _placed_lines(path, keep):
        yield _typed(Record.from_dict, data, path, number, "record")


def read_articles(out_dir: Path) -> Iterator[tuple[ArticleInfo, list[Record]]]:
    """Each article of a run with its records, streamed article by article."""
    records = _peekable(read_records(out_dir))
    for info in read_article_infos(out_dir):
        own = []
        while records.peek() is not None and records.peek().article == info.article:
            own.append(next(records))
        yield info, own
    leftover = records.peek()
    if leftover is not None:
        raise InputError(out_dir / RECORDS, f"record of article {leftover.article!r} is not "
                         f"in {ARTICLES} order (the two files are from different runs?)")


def _checked(build: Any, data: dict, path: Path, number: int, what: str) -> dict:
    """``data`` itself, once :func:`_typed` has built it without an error."""
    _typed(build, data, path, number, what)
    return data


def _typed(build: Any, data: dict, path: Path, number: int, what: str) -> Any:
    try:
        return build(data)
    except FieldError as err:
        raise InputError(path, str(err), number) from err
    except KeyError as err:
        raise InputError(path, f"not a workbench {what} (no {err.args[0]!r})", number) from err
    except (TypeError, ValueError, AttributeError) as err:
        raise InputError(path, f"not a workbench {what} ({err})", number) from err


class _peekable:
    def __init__(self, items: Iterator[Record]) -> None:
        self._items = items
        self._next: Record | None = None
        self._done = False

    def peek(self) -> Record | None:
        if self._next is None and not self._done:
            self._next = next(self._items, None)
            self._done = self._next is None
        return self._next

    def __next__(self) -> Record:
        item = self.peek()
        if item is None:
            raise StopIteration
        self._next = None
        return item
