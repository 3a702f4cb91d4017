"""Find article files and decode them, with one clear error per unusable file.

Decoding is strict: we never guess an encoding silently. UTF-8 (with or without BOM) and
UTF-16 with a BOM are accepted; anything else is refused with the byte offset of the problem.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InputError

ARTICLE_SUFFIX = ".txt"
#: Files larger than this are refused rather than read into memory.
MAX_ARTICLE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """An input file and the stable id its records carry."""

    article: str
    path: Path


def find_articles(inputs: Sequence[Path]) -> Iterator[ArticleFile | InputError]:
    """Yield every article under the inputs, in a stable order, and an error for each bad input.

    Files named explicitly are taken whatever their suffix; folders are searched recursively
    for ``*.txt`` files (symlinked folders are not followed, so a loop cannot trap us).
    Ids are file stems, made unique with the parent folder when two stems collide.
    """
    seen: dict[str, Path] = {}
    for item in inputs:
        if not item.exists():
            yield InputError(item, "no such file or directory")
            continue
        if item.is_dir():
            found = sorted(_walk(item))
            if not found:
                yield InputError(item, f"no {ARTICLE_SUFFIX} articles in this directory")
            paths: list[Path | InputError] = list(found)
        else:
            paths = [item]
        for path in paths:
            if isinstance(path, InputError):
                yield path
                continue
            article = _unique_id(path, seen)
            seen[article] = path
            yield ArticleFile(article, path)


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith(ARTICLE_SUFFIX) and not name.startswith("."):
                yield Path(dirpath) / name


def _unique_id(path: Path, seen: dict[str, Path]) -> str:
    article = path.stem
    if article in seen and seen[article] != path:
        article = f"{path.parent.name}-{path.stem}"
        n = 2
        while article in seen:
            article = f"{path.parent.name}-{path.stem}-{n}"
            n += 1
    return article


def read_text(path: Path) -> str:
    """Read and decode one article.

    Raises:
        InputError: the file is unreadable, a directory, binary, empty, too large, or not
            valid UTF-8/UTF-16; the message says which and where.
    """
    try:
        if path.is_dir():
            raise InputError(path, "is a directory, not an article file")
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise InputError(path, f"too large ({size} bytes; limit {MAX_ARTICLE_BYTES})")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
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
