"""Find article files and decode them, with one clear error per unusable file.

Decoding is strict: we never guess an encoding silently. UTF-8 (with or without BOM) and
UTF-16 with a BOM are accepted; anything else is refused with the byte offset of the problem.
Only regular files are read, and never more than :data:`MAX_ARTICLE_BYTES`: a FIFO would
block for ever and ``/dev/zero`` never ends, whatever ``stat`` says about their size.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.display import display_path, safe_text
from workbench.errors import InputError
from workbench.files import read_bytes
from workbench.text.parts import ArticleParts

#: What a folder is searched for: text, saved pages, and feeds (JSON Lines, CSV).
ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".csv")
#: Files larger than this are refused rather than read into memory.
MAX_ARTICLE_BYTES = 50 * 1024 * 1024



@dataclass(frozen=True, slots=True)
class ArticleFile:
    """An input file and the stable id its records carry (always safe, printable text).

    ``data`` is content already read (standard input); ``parts`` the structure a feed entry
    gives, with ``line`` its line in the feed.
    """

    article: str
    path: Path
    data: bytes | None = None
    parts: ArticleParts | None = None
    line: int = 0

    @property
    def shown_path(self) -> str:
        """The path for people (``feed.jsonl:3`` for a feed entry)."""
        return display_path(self.path) + (f":{self.line}" if self.line else "")


@dataclass(frozen=True, slots=True)
class InputNotice:
    """Something about the inputs worth saying that loses nothing (a file listed twice)."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}: {self.message}"


def find_articles(inputs: Sequence[Path | ArticleFile]
                  ) -> Iterator[ArticleFile | InputError | InputNotice]:
    """Yield every article under the inputs, in a stable order, and an error for each bad input.

    Files named explicitly are taken whatever their suffix; folders are searched for article
    files (:data:`ARTICLE_SUFFIXES`), iteratively (no depth limit), without following
    symlinked folders (so a loop
    cannot trap us). A file reached twice (listed twice, by a relative and an absolute path,
    or through a link) is taken once, with a notice. Ids are file stems, made unique with the
    parent folder when two stems collide.
    """
    seen_ids: dict[str, Path] = {}
    seen_files: dict[tuple[int, int], Path] = {}
    for item in inputs:
        if isinstance(item, ArticleFile):  # already read (standard input)
            seen_ids[item.article] = item.path
            yield item
            continue
        if not os.path.lexists(item):
            yield InputError(item, "no such file or directory")
            continue
        paths: Iterator[Path | InputError] = _walk(item) if item.is_dir() else iter([item])
        found = False
        for path in paths:
            if isinstance(path, InputError):
                yield path
                continue
            found = True
            identity = _identity(path)
            if identity is not None and identity in seen_files:
                yield InputNotice(path, f"same file as {display_path(seen_files[identity])}; "
                                        "taken once")
                continue
            if identity is not None:
                seen_files[identity] = path
            article = _unique_id(path, seen_ids)
            seen_ids[article] = path
            yield ArticleFile(article, path)
        if item.is_dir() and not found:
            yield InputError(item, f"no articles ({', '.join(ARTICLE_SUFFIXES)}) in this "
                                   "directory")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None  # unreadable: reading it will say why
    return info.st_dev, info.st_ino


def _walk(root: Path) -> Iterator[Path | InputError]:
    """Article files under ``root`` in sorted order, depth first, with an explicit stack."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda e: e.name)
        except OSError as err:
            yield InputError(folder, f"cannot list folder: {err.strerror or err}")
            continue
        subfolders = []
        for entry in children:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                subfolders.append(Path(entry.path))
            elif entry.name.lower().endswith(ARTICLE_SUFFIXES):
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


def _unique_id(path: Path, seen: dict[str, Path]) -> str:
    stem, parent = safe_text(path.stem), safe_text(path.parent.name)
    article = stem
    n = 2
    while article in seen:
        article = f"{parent}-{stem}" if n == 2 else f"{parent}-{stem}-{n - 1}"
        n += 1
    return article


def read_text(path: Path) -> str:
    """Read and decode one article.

    Raises:
        InputError: the file is unreadable, not a regular file, binary, empty, too large, or
            not valid UTF-8/UTF-16; the message says which and where.
    """
    return decode_article(path, read_bytes(path, MAX_ARTICLE_BYTES))


def decode_article(path: Path, data: bytes) -> str:
    """Decode an article's bytes; refuse binary, undecodable or empty ones."""
    text = decode(path, data)
    if not text.strip():
        raise InputError(path, "empty (no text)")
    return text


def decode(path: Path, data: bytes) -> str:
    """Decode bytes as UTF-8 or BOM-marked UTF-16; refuse binary data."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                raise InputError(path, f"invalid UTF-16 at byte {err.start}") from err
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(path, f"binary file (NUL byte at offset {nul})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from err
