"""Installed Argos packages: find them, read their metadata, install archives safely.

An Argos package is a zip (``.argosmodel``) of one folder holding ``metadata.json``, a
CTranslate2 ``model/`` and a tokenizer (``sentencepiece.model`` or ``bpe.model``). We read
and install them ourselves rather than through ``argostranslate.package``: its import creates
directories in the user's home, and its ``install_from_path`` extracts straight into the
packages directory, so a broken archive leaves a half-installed package behind.

Installing here verifies the whole archive first (zip integrity, member paths, sizes,
metadata, model files), extracts into a temporary folder inside the models directory, and
only then renames it into place.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InputError, PackageError
from workbench.files import read_bytes
from workbench.models.archive import check_package_files, extract, read_metadata, verify_archive


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """What the package index and an installed package both say about a package."""

    code: str
    from_code: str
    to_code: str
    package_version: str
    from_name: str = ""
    to_name: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        """(source, target) language codes."""
        return self.from_code, self.to_code

    @property
    def version(self) -> tuple[int, ...]:
        """The version as a sortable key (1.10 after 1.9)."""
        return version_key(self.package_version)

    def describe(self) -> dict[str, str]:
        """The fields people and scripts read (``models list --json`` and ``available``)."""
        return {"code": self.code, "from": self.from_code, "to": self.to_code,
                "version": self.package_version, "name": self.from_name}


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledPackage(PackageInfo):
    """An installed translate package: where it is and what it translates."""

    path: Path
    target_prefix: str = ""

    @property
    def model_dir(self) -> Path:
        """The CTranslate2 model directory."""
        return self.path / "model"

    def fingerprint(self) -> str:
        """A cheap content fingerprint: metadata, model config and the model file's edges.

        It goes into the engine signature, so replacing a model (even with the same version
        number) invalidates its cached translations, without hashing hundreds of megabytes.
        """
        return model_fingerprint((self.path / "metadata.json", self.model_dir / "config.json"),
                                 self.model_dir / "model.bin")


def model_fingerprint(descriptions: Iterable[Path], model_bin: Path) -> str:
    """The small files that describe a model, and the size and edges of its weights."""
    digest = hashlib.sha256()
    for part in descriptions:
        if part.exists():
            digest.update(part.read_bytes())
    size = model_bin.stat().st_size
    digest.update(str(size).encode())
    with model_bin.open("rb") as handle:
        digest.update(handle.read(1 << 16))
        handle.seek(max(0, size - (1 << 16)))
        digest.update(handle.read(1 << 16))
    return digest.hexdigest()[:12]


def load_package(path: Path) -> InstalledPackage:
    """Read an installed package folder."""
    metadata_path = path / "metadata.json"
    if not metadata_path.is_file():
        raise PackageError(path, "not an Argos package (no metadata.json)")
    metadata = read_metadata(metadata_path.read_bytes(), metadata_path)
    return InstalledPackage(
        path=path,
        code=metadata.get("code") or f"translate-{metadata['from_code']}_{metadata['to_code']}",
        from_code=metadata["from_code"],
        to_code=metadata["to_code"],
        package_version=str(metadata.get("package_version", "")),
        from_name=metadata.get("from_name", ""),
        to_name=metadata.get("to_name", ""),
        target_prefix=metadata.get("target_prefix", "") or "",
    )


def installed_packages(models_dir: Path) -> list[InstalledPackage]:
    """Every translate package in the models directory, skipping our temporary folders.

    Folders that are not translate packages (Argos also keeps sbd packages there) are
    ignored; a package whose metadata is broken is ignored too, since it cannot be used.
    """
    if not models_dir.is_dir():
        return []
    found = []
    for child in sorted(models_dir.iterdir()):
        if child.name.startswith(".") or not child.is_dir():
            continue
        try:
            found.append(load_package(child))
        except PackageError:
            continue
    return found


def newest_packages(models_dir: Path) -> dict[tuple[str, str], InstalledPackage]:
    """The package serving each pair: the newest version when several are installed."""
    newest: dict[tuple[str, str], InstalledPackage] = {}
    for package in installed_packages(models_dir):
        current = newest.get(package.pair)
        if current is None or package.version > current.version:
            newest[package.pair] = package
    return newest


def version_key(version: str) -> tuple[int, ...]:
    """Order package versions as numbers (1.10 after 1.9), the one order used everywhere."""
    parts = []
    for part in version.replace("_", ".").split("."):
        parts.append(int(part) if part.isdigit() else 0)
    while parts and parts[-1] == 0:  # 2 == 2.0 == 2_0
        parts.pop()
    return tuple(parts)


def folder_name(metadata: dict) -> str:
    """The folder a package installs to, from its own metadata (never the archive's layout).

    Two packages get the same folder only when they translate the same pair at the same
    version, so installing one can never replace a different model.
    """
    version = str(metadata.get("package_version", "") or "0").replace(".", "_")
    name = f"translate-{metadata['from_code']}_{metadata['to_code']}-{version}"
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


_ROOT_PAIR = re.compile(r"(?:^|[-_])([a-z]{2,3})_([a-z]{2,3})(?:-(\d+(?:[._]\d+)*))?$")


def _check_root_agrees(root: str, metadata: dict, archive: Path) -> None:
    """Refuse an archive whose top folder names another pair or version than its metadata."""
    match = _ROOT_PAIR.search(root.lower())
    if not match:
        return
    src, tgt, version = match.groups()
    if (src, tgt) != (metadata["from_code"], metadata["to_code"]):
        raise PackageError(archive, f"archive folder {root!r} names {src}→{tgt}, but its "
                           f"metadata.json says {metadata['from_code']}→{metadata['to_code']}; "
                           "refusing a mislabelled package")
    declared = str(metadata.get("package_version", "") or "")
    if version and declared and version_key(version) != version_key(declared):
        raise PackageError(archive, f"archive folder {root!r} names version {version}, but its "
                           f"metadata.json says {declared}; refusing a mislabelled package")


class SameVersionInstalled(Exception):
    """The pair is installed at the version being installed: nothing was touched."""

    def __init__(self, package: InstalledPackage) -> None:
        super().__init__(str(package.path))
        self.package = package


def install_archive(archive: Path, models_dir: Path, one_version: bool = False
                    ) -> InstalledPackage:
    """Verify an ``.argosmodel`` archive completely, then install it atomically.

    With ``one_version`` (``models install``), the pair keeps one version: the same version
    installed already is left untouched (:class:`SameVersionInstalled`), another one is
    replaced by this one once it is in place.

    Raises:
        PackageError: the archive is not a zip, is corrupt, has unsafe member paths, links,
            or sizes, has no usable metadata, or lacks the model or tokenizer. Nothing is
            left in ``models_dir`` in that case.
    """
    try:
        zip_file = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as err:
        raise PackageError(archive, "not a valid .argosmodel (not a zip archive)") from err
    except OSError as err:
        raise PackageError(archive, f"cannot read: {err.strerror or err}") from err
    with zip_file:
        root, metadata = verify_archive(zip_file, archive)
        _check_root_agrees(root, metadata, archive)
        return _install_staged(lambda target: extract(zip_file, root, target, archive),
                               metadata, models_dir, archive, one_version)


def install_folder(folder: Path, models_dir: Path, one_version: bool = False
                   ) -> InstalledPackage:
    """Install an unpacked package folder (a copy; the folder itself is left alone).

    ``one_version`` as for :func:`install_archive`.

    Raises:
        PackageError: the folder is not a translate package, or holds links or special files.
    """
    try:  # read_bytes refuses a FIFO or device named metadata.json instead of blocking on it
        data = read_bytes(folder / "metadata.json", 1 << 20)
    except InputError as err:
        raise PackageError(folder, f"not an Argos package (no readable metadata.json: "
                                   f"{err.problem})") from err
    metadata = read_metadata(data, folder)
    for path in folder.rglob("*"):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise PackageError(folder, f"{path.relative_to(folder)} is a link or special "
                                       "file; a package holds plain files only")

    def copy(target: Path) -> None:
        try:
            shutil.copytree(folder, target)
        except (OSError, shutil.Error) as err:
            raise PackageError(folder, f"cannot copy: {err}") from err

    return _install_staged(copy, metadata, models_dir, folder, one_version)


def staging_folder(models_dir: Path) -> Path:
    """A new folder inside the models directory to install into (renamed in when good).

    Raises:
        PackageError: the models directory is a file, or cannot be written.
    """
    if models_dir.exists() and not models_dir.is_dir():
        raise PackageError(models_dir, "the models directory is a file, not a folder")
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".installing-", dir=models_dir))
    except OSError as err:
        raise PackageError(models_dir, f"cannot write the models directory: "
                                       f"{err.strerror or err}") from err


def _install_staged(fill: Callable[[Path], None], metadata: dict, models_dir: Path,
                    origin: Path, one_version: bool = False) -> InstalledPackage:
    """Fill a staging folder inside the models directory, check it, then rename it in."""
    pair = (metadata["from_code"], metadata["to_code"])
    others = [p for p in installed_packages(models_dir) if p.pair == pair] if one_version \
        else []
    version = version_key(str(metadata.get("package_version", "") or "0"))
    if same := next((p for p in others if version_key(p.package_version) == version), None):
        raise SameVersionInstalled(same)
    staging = staging_folder(models_dir)
    try:
        target = staging / "package"
        fill(target)
        load_package(target)
        check_package_files(target, origin)
        final = models_dir / folder_name(metadata)
        move_in(target, final, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for other in others:  # the new version is in place: a reader never finds none
        if other.path != final:
            uninstall(other)
    return load_package(final)


def move_in(target: Path, final: Path, staging: Path) -> None:
    """Put a checked package in place (:func:`_replace_dir`); one line when it cannot be."""
    try:
        _replace_dir(target, final, staging)
    except OSError as err:
        raise PackageError(final.parent, f"cannot install into the models directory: "
                                         f"{err.strerror or err}") from err


def _replace_dir(new: Path, final: Path, staging: Path) -> None:
    """Move ``new`` to ``final``; an existing package is swapped out, never half-replaced."""
    if final.exists():
        old = staging / "previous"
        os.replace(final, old)
        try:
            os.replace(new, final)
        except OSError:
            os.replace(old, final)
            raise
    else:
        os.replace(new, final)


def uninstall(package: InstalledPackage) -> None:
    """Remove an installed package: its folder, or only the link when it is a symlink.

    Raises:
        PackageError: the package could not be removed (permissions, say).
    """
    try:
        if package.path.is_symlink():
            package.path.unlink()
        else:
            shutil.rmtree(package.path)
    except OSError as err:
        raise PackageError(package.path, f"cannot remove: {err.strerror or err}") from err
