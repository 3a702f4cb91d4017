"""Installing and removing models: from the package index or from a local file.

This is the library behind ``workbench models install`` and ``remove``, and behind a run's
``--install-missing``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import PackageError, UnknownPackage
from workbench.models import index as package_index
from workbench.models.packages import (
    InstalledPackage,
    install_archive,
    install_folder,
    installed_packages,
    newest_packages,
    uninstall,
)
from workbench.settings import Settings

DOWNLOADS = ".downloads"


def is_local_path(spec: str) -> bool:
    """Whether an install argument names a local file or folder rather than an index code."""
    return spec.endswith(".argosmodel") or "/" in spec or os.path.lexists(spec)


def install_local(path: Path, settings: Settings) -> InstalledPackage:
    """Install a local ``.argosmodel`` file or unpacked package folder (verified; atomic)."""
    if path.is_dir():
        return install_folder(path, settings.models_dir)
    if not path.exists():
        raise PackageError(path, "no such file")
    if not path.is_file():
        raise PackageError(path, "not a regular file (a pipe or a device?)")
    return install_archive(path, settings.models_dir)


@dataclass(frozen=True)
class Installed:
    """A package a ``models install`` argument stands for, and whether it was there before."""

    package: InstalledPackage
    already: bool = False  # an index code whose pair was installed: nothing was fetched


def install(spec: str, settings: Settings, index: Callable[[], package_index.PackageIndex],
            progress: package_index.ProgressCallback | None = None) -> Installed:
    """Install by file, folder or index code; ``index`` fetches the index only when needed.

    An index code whose pair is installed already installs nothing (it works offline);
    ``models remove`` first replaces it with the index's package.
    """
    if is_local_path(spec):
        return Installed(install_local(Path(spec), settings))
    pair = package_index.parse_pair(spec, settings.tgt_lang)
    if (present := newest_packages(settings.models_dir).get(pair)) is not None:
        return Installed(present, already=True)
    return Installed(install_from_index(spec, settings, index(), progress))


def remove(code: str, settings: Settings) -> list[InstalledPackage]:
    """Remove every installed package for a language code, pair or package code.

    Raises:
        UnknownPackage: nothing installed answers to ``code``.
    """
    pair = package_index.parse_pair(code, settings.tgt_lang)
    doomed = [p for p in installed_packages(settings.models_dir) if p.pair == pair]
    if not doomed:
        raise UnknownPackage(f"no installed package for {code!r} in {settings.models_dir}")
    for package in doomed:
        uninstall(package)
    return doomed


def install_from_index(code: str, settings: Settings,
                       index: package_index.PackageIndex | None = None,
                       progress: package_index.ProgressCallback | None = None
                       ) -> InstalledPackage:
    """Download a package named by language code (``de``, ``de_en``...) and install it.

    The download is removed afterwards, whether the install worked or not.
    """
    index = index or package_index.fetch_index(settings.index_url)
    available = index.resolve(code, settings.tgt_lang)
    archive = package_index.download(available, settings.models_dir / DOWNLOADS, progress)
    try:
        return install_archive(archive, settings.models_dir)
    finally:
        archive.unlink(missing_ok=True)
