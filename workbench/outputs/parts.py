"""A cluster run's outputs in parts, written by the workers, and their manifest.

Each batch of articles is written by the worker that translated it; the manifest lists the
parts in input order.

Layout, in ``OUT/parts/`` (N: the part's number, five digits or more, from 00001)::

    N.records.jsonl    the part's records, as records.jsonl holds them
    N.articles.jsonl   the part's articles, as articles.jsonl holds them
    N.tmx              a complete TMX 1.4b document of the part's units
    N.xlf              a complete XLIFF 1.2 document of the part's articles
    manifest.json      {"layout": 1, "parts": [{"part", "files", "articles", "records",
                       "sha256"}, ...]}, in input order

Each part is written atomically, so a part file is whole or absent; a part written twice (its
worker was lost after writing it) is written the same again. ``merge_parts`` joins the parts
into the single ``records.jsonl`` and ``articles.jsonl`` (``workbench export`` does this),
checking each part against the digest its worker reported.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from workbench.display import safe_text
from workbench.errors import InputError
from workbench.files import read_bytes
from workbench.outputs.atomic import atomic_write
from workbench.outputs.run_folder import (
    PARTS,
    PARTS_MANIFEST,
    RunWriter,
    hash_article,
    raw_articles,
)
from workbench.outputs.tmx import write_tmx
from workbench.outputs.xliff import write_xliff
from workbench.records import ArticleInfo, Record
from workbench.text.normalize import json_without_surrogates

#: The files of one part: kind -> suffix.
PART_SUFFIXES = {"records": "records.jsonl", "articles": "articles.jsonl", "tmx": "tmx",
                 "xliff": "xlf"}
LAYOUT = 1
#: What Workbench writes in ``parts/``: part files, the manifest, the cache copy workers
#: start from (while a run lasts), and atomic writes' temporary files.
SNAPSHOT = "cache-snapshot.db"
_SUFFIXES = "|".join(re.escape(suffix) for suffix in PART_SUFFIXES.values())
OUR_PART_FILE = re.compile(rf"\d{{5,}}\.(?:{_SUFFIXES})|{re.escape(PARTS_MANIFEST)}|"
                           rf"{re.escape(SNAPSHOT)}|\..+\.tmp")
#: A manifest larger than this is refused before it is parsed. An entry takes about 330
#: bytes, so this holds some 50,000 parts: 2.5 million articles at 50 a part.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LINK = (f"a symbolic link: Workbench never follows a link in {PARTS}/ (it could lead "
         "outside the output folder)")
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def part_files(number: int) -> dict[str, str]:
    """The part's file names, relative to the run folder."""
    return {kind: f"{PARTS}/{number:05d}.{suffix}" for kind, suffix in PART_SUFFIXES.items()}


def write_part(out_dir: Path, number: int,
               articles: Sequence[tuple[ArticleInfo, Sequence[Record]]],
               include_kept: bool = False) -> dict:
    """Write one part's four files; return its manifest entry."""
    files = part_files(number)
    (out_dir / PARTS).mkdir(exist_ok=True)
    with RunWriter(out_dir, files["records"], files["articles"]) as writer:
        for info, records in articles:
            writer.write(info, list(records))
    write_tmx((r for _, records in articles for r in records), out_dir / files["tmx"],
              include_kept)
    write_xliff(((info, list(records)) for info, records in articles), out_dir / files["xliff"])
    return {"part": number, "files": files, "articles": len(articles),
            "records": sum(len(records) for _, records in articles), "sha256": writer.digest}


def write_parts_manifest(out_dir: Path, entries: Sequence[dict]) -> None:
    """Write ``parts/manifest.json``: the parts in input order."""
    with atomic_write(out_dir / PARTS / PARTS_MANIFEST) as out:
        json.dump({"layout": LAYOUT, "parts": sorted(entries, key=lambda e: e["part"])},
                  out, ensure_ascii=False, indent=1)
        out.write("\n")


def read_parts_manifest(out_dir: Path) -> dict | None:
    """``parts/manifest.json``, checked field by field; None when the run wrote no parts.

    Every file an entry names must be that part's own name (``parts/00003.records.jsonl``
    for part 3), so a manifest can name nothing outside ``parts/``; the names are checked as
    text, never looked up, so a refusal says nothing about what exists elsewhere.

    Raises:
        InputError: the manifest is a link, too large, not JSON, or a field is wrong
            (``parts[3].files: ...``).
    """
    folder = out_dir / PARTS
    path = folder / PARTS_MANIFEST
    try:
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            raise InputError(folder, _LINK)
        found = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    if stat.S_ISLNK(found.st_mode):
        raise InputError(path, _LINK)
    data = read_bytes(path, MAX_MANIFEST_BYTES)  # refuses a FIFO, a device, a folder
    try:
        manifest = json_without_surrogates(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset "
                               f"{err.start})") from err
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON ({err.msg})", err.lineno) from err
    except RecursionError:
        raise InputError(path, "not valid JSON (nested too deeply)") from None
    try:
        return _checked_manifest(manifest)
    except _FieldError as err:
        raise InputError(path, str(err)) from None


class _FieldError(Exception):
    """One field of the manifest is wrong; the message starts with its place."""


def _checked_manifest(data: object) -> dict:
    if not isinstance(data, dict) or data.get("layout") != LAYOUT:
        raise _FieldError(f"not a parts manifest of layout {LAYOUT}")
    parts = data.get("parts")
    if not isinstance(parts, list):
        raise _FieldError(f"parts: {_expected('a list', parts)}")
    seen: dict[int, int] = {}
    for place, entry in enumerate(parts):
        number = _checked_entry(entry, f"parts[{place}]")
        if number in seen:
            raise _FieldError(f"parts[{place}]: part {number} is listed twice (also "
                              f"parts[{seen[number]}]); its articles would be merged twice")
        if seen and number < max(seen):
            raise _FieldError(f"parts[{place}]: part {number} comes after part {max(seen)}: "
                              "the parts are listed in input order")
        seen[number] = place
    return data


def _checked_entry(entry: object, where: str) -> int:
    """Check one part's entry; return its number."""
    if not isinstance(entry, dict):
        raise _FieldError(f"{where}: {_expected('an object', entry)}")
    for field in ("part", "files", "articles", "records", "sha256"):
        if field not in entry:
            raise _FieldError(f"{where}.{field}: missing")
    number = entry["part"]
    if not _is_count(number) or number < 1:
        raise _FieldError(f"{where}.part: {_expected('a part number from 1', number)}")
    for field in ("articles", "records"):
        if not _is_count(entry[field]):
            raise _FieldError(f"{where}.{field}: {_expected('a count', entry[field])}")
    sha256 = entry["sha256"]
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise _FieldError(f"{where}.sha256: {_expected('64 hexadecimal digits', sha256)}")
    files = entry["files"]
    if not isinstance(files, dict):
        raise _FieldError(f"{where}.files: {_expected('an object', files)}")
    own = part_files(number)
    for kind in ("records", "articles"):
        if kind not in files:
            raise _FieldError(f"{where}.files.{kind}: missing")
    for kind, name in files.items():
        if kind not in own:
            raise _FieldError(f"{where}.files: {_shown(kind)} is not a kind of part file "
                              f"({', '.join(own)})")
        if name != own[kind]:
            raise _FieldError(f"{where}.files.{kind}: {_shown(name)} is not part {number}'s "
                              f"file (expected {own[kind]!r}): a manifest names only its "
                              f"own part files in {PARTS}/")
    return number


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _expected(what: str, value: object) -> str:
    return f"expected {what}, found {_shown(value)}"


def _shown(value: object) -> str:
    """A value from the manifest as one short, safe piece of text."""
    if isinstance(value, (dict, list)):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    # JSON with every character past ASCII escaped: no control or bidirectional character
    # of a hostile manifest reaches the terminal.
    text = json.dumps(value) if isinstance(value, str) else "null" if value is None \
        else safe_text(repr(value))
    return text if len(text) <= 80 else text[:77] + "..."


def check_part_file(out_dir: Path, name: str) -> None:
    """Refuse a part file that is not a regular file of its own in ``parts/``.

    ``name`` is one :func:`read_parts_manifest` checked. The file is opened without
    following a link (``O_NOFOLLOW``) and without blocking, and looked at, not read.

    Raises:
        InputError: missing, a link (symbolic or hard), or not a regular file (a folder, a
            FIFO, a device).
    """
    path = out_dir / name
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise InputError(path, _LINK)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(path, "missing, though parts/manifest.json names it; translate "
                               "again to make it afresh") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(path, _LINK) from None
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    try:
        found = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(found.st_mode):
        raise InputError(path, f"{_kind(found.st_mode)}, not a regular file: a part is a "
                               "file Workbench wrote")
    if found.st_nlink > 1:  # a hard link can name any file of its owner's, outside OUT too
        raise InputError(path, "has other names (a hard link): a part is a file Workbench "
                               "wrote, under this name only")


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def checked_parts(out_dir: Path) -> list[dict]:
    """The parts' manifest entries, once the manifest and every file it names are checked.

    The one check every reader of parts goes through, before it writes anything.

    Raises:
        InputError: no parts manifest, or what :func:`read_parts_manifest` and
            :func:`check_part_file` refuse.
    """
    manifest = read_parts_manifest(out_dir)
    if manifest is None:
        raise InputError(out_dir / PARTS / PARTS_MANIFEST, "missing: this run wrote no parts")
    for entry in manifest["parts"]:
        for name in entry["files"].values():
            check_part_file(out_dir, name)
    return manifest["parts"]


def merge_parts(out_dir: Path) -> RunWriter:
    """Join the parts into ``records.jsonl`` and ``articles.jsonl``; return their writer.

    The writer's digests are the run's (``run.json``'s ``records_sha256``). Nothing is
    replaced unless every part is whole: the writer's files are renamed into place last.

    Raises:
        InputError: no parts manifest, a field of it wrong, a part missing, not a regular
            file of ``parts/``, or changed since it was written.
    """
    parts = checked_parts(out_dir)
    with RunWriter(out_dir) as writer:
        for entry in parts:
            files = entry["files"]
            digest = hashlib.sha256()
            for name in (files["records"], files["articles"]):
                check_part_file(out_dir, name)  # again: just before it is read
            for _, info_line, lines in raw_articles(out_dir, files["records"],
                                                    files["articles"], checked=True):
                record_lines = [line for line, _ in lines]
                hash_article(digest, info_line, record_lines)
                writer.write_lines(info_line, record_lines)
            if digest.hexdigest() != entry["sha256"]:
                raise InputError(out_dir / files["records"], "changed since the run wrote it "
                                 "(its digest differs from parts/manifest.json); translate "
                                 "again to make it afresh")
    return writer


def remove_stale_parts(out_dir: Path, keep: Sequence[dict] = ()) -> list[Path]:
    """Delete what Workbench wrote in ``parts/`` besides the parts of ``keep`` (entries).

    Only names of ours are touched; the folder goes when nothing else is left in it.
    """
    folder = out_dir / PARTS
    kept = {Path(name).name for entry in keep for name in entry["files"].values()}
    if keep:
        kept.add(PARTS_MANIFEST)
    removed = []
    if not folder.is_dir() or folder.is_symlink():
        return removed
    for path in sorted(folder.iterdir()):
        if OUR_PART_FILE.fullmatch(path.name) and path.name not in kept and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    with contextlib.suppress(OSError):
        folder.rmdir()  # only when empty
    return removed
