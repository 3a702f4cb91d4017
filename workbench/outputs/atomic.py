"""Write a file so that it is either complete or absent, never half-written."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from workbench.errors import OutputError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _as_output_error(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as err:
        raise OutputError(path, f"cannot write: {err.strerror or err}") from err


class _Guarded:
    """A file whose write errors (disk full...) name the output, not a stray OSError."""

    def __init__(self, file: IO, path: Path) -> None:
        self._file, self._path = file, path

    def write(self, data: str | bytes) -> int:
        """Write, turning OSError into OutputError."""
        with _as_output_error(self._path):
            return self._file.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self._file, name)


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", dir_fd: int | None = None) -> Iterator[Any]:
    """Write to a temporary file beside ``path``; rename it into place only on success.

    The file gets the permissions a plain ``open`` would give it (0644 under umask 022), not
    the 0600 of a temporary file, so colleagues and web servers can read the outputs.

    ``dir_fd``: ``path``'s folder, opened by the caller without following links. The file
    is then made and renamed in it by name alone, so no link on ``path`` (one a user put in
    a folder people work in) can lead the write outside.

    Raises:
        OutputError: the folder cannot be created or written (read-only, full, under a file);
            the previous file, if any, is left as it was.
    """
    if dir_fd is not None:
        with _atomic_write_in(dir_fd, path, mode) as out:
            yield out
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                        dir=path.parent)
    except OSError as err:
        raise OutputError(path, f"cannot write: {err.strerror or err}") from err
    try:
        with _synced(handle, mode, path) as out:
            yield out
        with _as_output_error(path):
            os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


@contextlib.contextmanager
def _synced(handle: int, mode: str, path: Path) -> Iterator[Any]:
    """The temporary file as a guarded stream: on disk, with the umask's mode, when done."""
    encoding = None if "b" in mode else "utf-8"
    with os.fdopen(handle, mode, encoding=encoding) as out:
        yield _Guarded(out, path)
        with _as_output_error(path):
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), 0o666 & ~_umask())


@contextlib.contextmanager
def _atomic_write_in(dir_fd: int, path: Path, mode: str) -> Iterator[Any]:
    """:func:`atomic_write` inside an open folder: by name, never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    with _as_output_error(path):
        while True:
            temp = f".{path.name}.{secrets.token_hex(4)}.tmp"
            try:
                handle = os.open(temp, flags, 0o600, dir_fd=dir_fd)
                break
            except FileExistsError:
                continue
    try:
        with _synced(handle, mode, path) as out:
            yield out
        with _as_output_error(path):
            os.replace(temp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=dir_fd)
