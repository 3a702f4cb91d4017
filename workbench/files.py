"""Reading files safely: only regular files, never blocking, never more than a limit.

A FIFO would block for ever and ``/dev/zero`` never ends, whatever ``stat`` says about their
size; every room that reads a file a person handed over (articles, glossaries, corrections,
model archives, ``workbench.toml``) reads it through here.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from workbench.errors import InputError

#: Glossary or corrections files larger than this.
MAX_CONFIG_BYTES = 64 * 1024 * 1024
#: (device, inode) of every SQLite file this process has a connection to. On POSIX, closing
#: any descriptor of a file drops every lock the process holds on it, so reading one of these
#: through a plain ``open()`` would let another process delete the WAL SQLite still writes.
_OPEN_DATABASES: dict[tuple[int, int], int] = {}
#: Files SQLite keeps beside a database, which the same rule covers.
_DATABASE_SIDE_FILES = ("-wal", "-shm", "-journal")
_SPECIAL_FILES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def hold_database(path: Path) -> tuple[int, int]:
    """Note that this process has ``path`` open in SQLite; :func:`open_regular` refuses it."""
    found = os.stat(path)
    key = (found.st_dev, found.st_ino)
    _OPEN_DATABASES[key] = _OPEN_DATABASES.get(key, 0) + 1
    return key


def release_database(key: tuple[int, int]) -> None:
    """Undo one :func:`hold_database` (its connection is closed)."""
    left = _OPEN_DATABASES.pop(key, 0) - 1
    if left > 0:
        _OPEN_DATABASES[key] = left


def is_open_database(path: Path) -> bool:
    """Whether a plain read of ``path`` would drop SQLite locks this process holds.

    True for a database this process has open, and for the WAL, shared-memory or journal
    file beside one.
    """
    if not _OPEN_DATABASES:
        return False
    candidates = [path] + [path.with_name(path.name[:-len(side)])
                           for side in _DATABASE_SIDE_FILES if path.name.endswith(side)]
    for candidate in candidates:
        with contextlib.suppress(OSError):
            found = os.stat(candidate)
            if (found.st_dev, found.st_ino) in _OPEN_DATABASES:
                return True
    return False


def read_bytes(path: Path, limit: int) -> bytes:
    """Read a regular file of at most ``limit`` bytes, never blocking on a special file.

    The read asks for the file's own size (plus one byte, to notice growth), not for the
    limit: ``read(limit + 1)`` allocates the whole limit for every file, and glibc, after
    freeing such a block, keeps every later allocation below 32 MB on the heap, which it
    seldom returns (the run then holds tens of MB more).
    """
    with open_regular(path) as handle:
        try:
            wanted = min(os.fstat(handle.fileno()).st_size, limit) + 1
            data = handle.read(wanted)
            if len(data) == wanted and wanted <= limit:  # it grew since: read on to the limit
                data += handle.read(limit + 1 - wanted)
        except OSError as err:
            raise InputError(path, f"cannot read: {err.strerror or err}") from err
    if len(data) > limit:
        raise InputError(path, f"too large (over {limit} bytes)")
    return data


@contextlib.contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """Open a regular file for reading in binary, refusing special files without blocking.

    Raises:
        InputError: not a regular file, or it cannot be opened.
    """
    if is_open_database(path):
        raise InputError(path, "is a database this command has open (the cache); it is "
                               "never read as an input file")
    try:
        kind = _special_kind(os.stat(path).st_mode)
        if kind:
            raise InputError(path, f"{kind}, not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    try:
        kind = _special_kind(os.fstat(fd).st_mode)  # it may have changed since stat
        if kind:
            raise InputError(path, f"{kind}, not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            yield handle
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    finally:
        os.close(fd)


def read_config_text(path: Path, limit: int = MAX_CONFIG_BYTES) -> str:
    """Read a small UTF-8 file a person wrote (glossary, corrections), never blocking.

    Raises:
        InputError: not a regular file, too large, or not UTF-8.
    """
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset "
                               f"{err.start})") from err


def _special_kind(mode: int) -> str | None:
    if stat.S_ISDIR(mode):
        return "a directory"
    return next((name for test, name in _SPECIAL_FILES if test(mode)), None)
