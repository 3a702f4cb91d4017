"""What an ``.argosmodel`` must be before anything is installed from it.

Every member is checked before a byte is written (no absolute or ``../`` paths, no links, a
bounded size and compression ratio, intact CRCs), it is unpacked with the same bounds, and
the unpacked package must hold a CTranslate2 model and a tokenizer that both load.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from workbench.errors import PackageError
from workbench.text.normalize import parse_json

#: Refuse archives that would unpack to more than this (a zip bomb guard).
MAX_UNPACKED_BYTES = 8 * 1024**3
#: ...or whose members compress better than this (real models compress ~1.1-3x).
MAX_COMPRESSION_RATIO = 200

TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")
_PACKAGE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def read_metadata(data: bytes, origin: Path) -> dict:
    """Parse and check a package's ``metadata.json``."""
    try:
        metadata = parse_json(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PackageError(origin, f"metadata.json is not valid JSON ({err})") from err
    if not isinstance(metadata, dict):
        raise PackageError(origin, "metadata.json is not a JSON object")
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise PackageError(origin, f"not a translate package (type {kind!r})")
    for key in ("from_code", "to_code"):
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise PackageError(origin, f"metadata.json has no {key}")
        if not _LANGUAGE_CODE.fullmatch(metadata[key]):
            raise PackageError(origin, f"metadata.json: {key} is not a language code "
                                       f"(got {metadata[key][:20]!r})")
    for key in ("code", "package_version", "from_name", "to_name", "target_prefix"):
        value = metadata.get(key)
        if value is not None and not isinstance(value, str | int | float):
            raise PackageError(origin, f"metadata.json: {key} must be text "
                                       f"(got {type(value).__name__})")
    if metadata.get("code") is not None and not _PACKAGE_CODE.fullmatch(str(metadata["code"])):
        raise PackageError(origin, f"metadata.json: code {str(metadata['code'])[:40]!r} is not "
                                   "a package name (letters, digits, '.', '_', '-')")
    return metadata


def verify_archive(zip_file: zipfile.ZipFile, archive: Path) -> tuple[str, dict]:
    """Check every member before anything is written; return the package root folder."""
    root = check_members(zip_file, archive)
    metadata_name = f"{root}/metadata.json" if root else "metadata.json"
    try:
        metadata_bytes = zip_file.read(metadata_name)
    except KeyError as err:
        raise PackageError(archive, "not an Argos package (no metadata.json)") from err
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
        raise PackageError(archive, f"corrupt archive ({err})") from err
    metadata = read_metadata(metadata_bytes, archive)
    check_crcs(zip_file, archive)
    return root, metadata


def check_members(zip_file: zipfile.ZipFile, archive: Path) -> str:
    """Refuse unsafe paths, links and sizes; return the one top folder ("" when none)."""
    members = zip_file.infolist()
    if not members:
        raise PackageError(archive, "empty archive")
    total = 0
    roots = set()
    for info in members:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or info.filename.startswith(("/", "\\")) or ":" in path.parts[0]:
            raise PackageError(archive, f"unsafe absolute path in archive: {info.filename!r}")
        if ".." in path.parts:
            raise PackageError(archive, f"unsafe path in archive: {info.filename!r}")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise PackageError(archive, f"symbolic link in archive: {info.filename!r}")
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise PackageError(archive, f"unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
            raise PackageError(archive, f"suspicious compression ratio for {info.filename!r}")
        roots.add(path.parts[0] if len(path.parts) > 1 or info.is_dir() else "")
    return roots.pop() if len(roots) == 1 else ""


def check_crcs(zip_file: zipfile.ZipFile, archive: Path) -> None:
    """Every member's data matches its CRC (a truncated or damaged download is refused)."""
    try:
        bad = zip_file.testzip()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as err:
        raise PackageError(archive, f"corrupt archive ({err})") from err
    if bad is not None:
        raise PackageError(archive, f"corrupt archive (bad CRC for {bad!r})")


def extract(zip_file: zipfile.ZipFile, root: str, target: Path, archive: Path) -> None:
    """Unpack the package folder ``root`` of a verified archive into ``target``."""
    target.mkdir()
    prefix = f"{root}/" if root else ""
    for info in zip_file.infolist():
        name = info.filename.replace("\\", "/")
        relative = name[len(prefix):] if prefix and name.startswith(prefix) else name
        if not relative or relative == root:
            continue
        destination = target / relative
        if info.is_dir():
            try:
                destination.mkdir(parents=True, exist_ok=True)
            except OSError as err:  # a file of that name came first
                raise PackageError(archive, f"corrupt archive ({info.filename!r}: "
                                            f"{err.strerror or err})") from err
            continue
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            with zip_file.open(info) as source, destination.open("wb") as out:
                written = 0
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > info.file_size:  # a member larger than it claims: a bomb
                        raise PackageError(archive, f"{info.filename!r} unpacks to more "
                                                    "than its declared size")
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
            raise PackageError(archive, f"corrupt archive ({err})") from err


def check_package_files(folder: Path, archive: Path) -> None:
    """The model and the tokenizer are there and load: a package that installs, runs."""
    if not (folder / "model" / "model.bin").is_file():
        raise PackageError(archive, "no CTranslate2 model (model/model.bin missing)")
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise PackageError(archive, "no tokenizer (sentencepiece.model or bpe.model missing)")
    if (folder / "sentencepiece.model").is_file():
        import sentencepiece

        try:
            sentencepiece.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))
        except Exception as err:  # sentencepiece raises RuntimeError, OSError...
            raise PackageError(archive, f"sentencepiece.model cannot be loaded ({err})") from err
    import ctranslate2

    try:  # reads the whole model once: a junk model.bin is refused here, not mid-run
        ctranslate2.Translator(str(folder / "model"), device="cpu", inter_threads=1,
                               intra_threads=1).unload_model()
    except Exception as err:
        raise PackageError(archive, f"model/model.bin cannot be loaded ({err})") from err
