"""The output folder is Workbench's alone: what it may touch there, and one run at a time.

Workbench writes, replaces and removes only the names its formats declare (and ``run.json``),
and only where ``run.json`` says an earlier run wrote them. Anything else in the folder is
the user's and is never touched; a name of ours that Workbench did not write stops the run
before anything is written, as does an output folder that is, or lies inside, an input (each
run would read the last one's outputs back) or an input inside the output folder. A lock
on the folder keeps a second run out while one writes; temporary files a killed run left
are removed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from workbench import __version__
from workbench.errors import InputError, OutputError
from workbench.outputs.formats import FORMATS
from workbench.outputs.parts import OUR_PART_FILE
from workbench.outputs.run_folder import (
    MANIFEST,
    OMEGAT,
    PARTS,
    REVIEW_PAGES,
    read_manifest,
    write_manifest,
)

#: Every name Workbench may write in a run folder.
OUR_NAMES = (MANIFEST, PARTS, *(name for fmt in FORMATS.values() for name in fmt.files))
#: What a page folder of ours holds.
_PAGE = re.compile(r"\d{5}\.html")
#: Temporary files and folders of ours: atomic writes, staged and replaced page folders.
_FILES = "|".join(re.escape(name) for name in OUR_NAMES if name not in (REVIEW_PAGES, PARTS))
_LEFTOVER = re.compile(rf"\.(?:(?:{_FILES})\.[^/]*\.tmp|{re.escape(REVIEW_PAGES)}-[^/]*)")


def check_inputs(out_dir: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output folder that is, or lies inside, an input, or holds one.

    Raises:
        OutputError: names the output folder and the input.
    """
    out = _resolved(out_dir)
    for item in inputs:
        if str(item) == "-":
            continue
        source = _resolved(item)
        if out == source or source in out.parents:
            raise OutputError(out_dir, f"lies inside the input {item}: each run would read "
                                       "the last one's outputs back; choose another -o")
        if out in source.parents:
            raise OutputError(out_dir, f"holds the input {item}; choose another -o")


def _resolved(path: Path) -> Path:
    """The absolute path with links resolved, also for a path that does not exist yet."""
    return Path(os.path.realpath(path))


def owned(manifest: dict) -> set[str]:
    """The names of ``OUR_NAMES`` that the folder's ``run.json`` says Workbench wrote."""
    if not manifest.get("workbench"):
        return set()
    if isinstance(manifest.get("written"), list):
        return {n for n in manifest["written"] if isinstance(n, str)} & set(OUR_NAMES) | \
            {MANIFEST}
    # run.json of a version before the list was kept: the records and what it derived
    derived = [FORMATS[f] for f in manifest.get("derived") or [] if f in FORMATS]
    return {MANIFEST, *FORMATS["jsonl"].files, *(n for fmt in derived for n in fmt.files)}


def names_written(out_dir: Path) -> list[str]:
    """The names of ours present in the folder now: what ``run.json`` lists as written."""
    return sorted(name for name in OUR_NAMES if (out_dir / name).exists())


def foreign(out_dir: Path, manifest: dict) -> Path | None:
    """The first path under one of our names that Workbench did not write, if any."""
    ours = owned(manifest)
    for name in OUR_NAMES:
        path = out_dir / name
        if not (path.exists() or path.is_symlink()):
            continue
        if name not in ours or path.is_symlink():
            return path
        folder_of = {REVIEW_PAGES: _PAGE, PARTS: OUR_PART_FILE}.get(name)  # files we name
        if folder_of is not None:
            if not path.is_dir():
                return path
            stray = next((p for p in sorted(path.iterdir())
                          if not (folder_of.fullmatch(p.name) and p.is_file())), None)
            if stray is not None:
                return stray
        elif path.is_dir() and name != OMEGAT:  # OmegaT projects: a folder people work in
            return path
    return None


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Delete the temporary files and folders a killed run of ours left behind."""
    removed = []
    with contextlib.suppress(OSError):
        for path in out_dir.iterdir():
            if _LEFTOVER.fullmatch(path.name):
                with contextlib.suppress(OSError):
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
                    removed.append(path)
    return removed


@contextlib.contextmanager
def claimed(out_dir: Path, inputs: Iterable[Path] = (), new_run: bool = False
            ) -> Iterator[dict]:
    """Hold the output folder for one run; yields its ``run.json`` as it was (``{}``: none).

    ``new_run``: a run is about to write its records here, so the names still free are
    claimed in a first ``run.json`` (a command that only rereads a run claims nothing).

    The lock is on the folder itself (``flock``), so it leaves no file behind and is released
    by the kernel when the process dies, however it dies. A folder this call created is
    removed again when the run stops before writing anything but the first ``run.json``.

    Raises:
        OutputError: the folder is an input's or holds one, another run holds it, or a name
            of ours there was not written by Workbench.
    """
    check_inputs(out_dir, inputs)
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        folder = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        raise OutputError(out_dir, f"cannot write: {err.strerror or err}") from err
    try:
        _lock(folder, out_dir)
        manifest = _checked_manifest(out_dir)
        remove_leftovers(out_dir)
        free = [n for n in OUR_NAMES if not os.path.lexists(out_dir / n)]
        if new_run and not manifest:  # the free names are ours from now on, even if it dies
            write_manifest(out_dir, {"workbench": __version__, "complete": False,
                                     "written": free})
        try:
            yield manifest
        except BaseException:
            _record_made(out_dir, free)
            if created:
                _remove_if_untouched(out_dir)
            raise
        _record_made(out_dir, free)
    finally:
        os.close(folder)  # releases the lock


def _record_made(out_dir: Path, free: list[str]) -> None:
    """Add to ``run.json`` the names of ours that were free and hold a file now.

    The folder is locked: what appeared under our names meanwhile, this command wrote. A
    command stopped (SIGTERM, an error) between renaming an output into place and writing
    the ``run.json`` that lists it would otherwise leave a file the next run refuses as
    not written by Workbench.
    """
    made = {n for n in free if os.path.lexists(out_dir / n)}
    if not made:
        return
    with contextlib.suppress(InputError, OSError):  # a damaged run.json: the next claim says so
        manifest = read_manifest(out_dir)
        listed = manifest.get("written")
        if manifest.get("workbench") and isinstance(listed, list) and not made <= set(listed):
            write_manifest(out_dir, {**manifest, "written": sorted({*listed, *made})})


def _lock(folder: int, out_dir: Path) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        return
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OutputError(out_dir, "another workbench run is writing here; wait for it or "
                                   "choose another -o") from None
    except OSError:
        return  # a file system without locks (some network mounts): run as before


def _checked_manifest(out_dir: Path) -> dict:
    try:
        manifest = read_manifest(out_dir)
    except InputError as err:  # a damaged run.json is not ours to replace
        raise OutputError(out_dir / MANIFEST, f"{err.problem}: not written by Workbench, "
                                              "which would replace it; move it or choose "
                                              "another -o") from err
    stray = foreign(out_dir, manifest)
    if stray is not None:
        raise OutputError(stray, "was not written by Workbench, which would replace it; "
                                 "move it or choose another -o")
    return manifest


def _remove_if_untouched(out_dir: Path) -> None:
    """Take back a folder this run created, if it holds nothing but the first run.json."""
    with contextlib.suppress(OSError):
        if [p.name for p in out_dir.iterdir()] == [MANIFEST]:
            (out_dir / MANIFEST).unlink()
        out_dir.rmdir()
