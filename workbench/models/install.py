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
from workbench.models.catalog import InstalledModel, from_package, installed_models
from workbench.models.ct2_folder import guess_family, install_ct2_folder, is_ct2_folder
from workbench.models.ct2_folder import read_vocabulary as ct2_vocabulary
from workbench.models.opus_mt import install_release, is_release
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
    return spec.endswith((".argosmodel", ".zip")) or "/" in spec or os.path.lexists(spec)


def install_model(path: Path, settings: Settings, family: str | None = None, *,
                  name: str | None = None, langs: list[str] | None = None) -> InstalledModel:
    """Install a local model of any family; verified and atomic.

    Without ``family``: a release with ``decoder.yml`` is OPUS-MT, anything else an Argos
    package; a CTranslate2 folder needs its family named (NLLB-200, M2M100 and MADLAD-400
    folders look alike).

    Raises:
        PackageError: one line naming what is wrong or missing; nothing is left installed.
    """
    tgt = settings.tgt_lang
    if family in (None, "opus-mt") and is_release(path):
        return install_release(path, settings.models_dir, tgt, name=name, langs=langs)
    if family == "opus-mt":
        raise PackageError(path, "not an OPUS-MT release (no decoder.yml)")
    if family in ("nllb", "m2m100", "madlad"):
        return install_ct2_folder(path, family, settings.models_dir, tgt, name=name)
    if family is None and is_ct2_folder(path) and not (path / "metadata.json").exists():
        guess = guess_family(ct2_vocabulary(path))
        raise PackageError(path, "a CTranslate2 folder: name its family with --family "
                                 f"{guess or 'nllb|m2m100|madlad'}")
    return from_package(install_local(path, settings))


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

    model: InstalledModel
    already: bool = False  # an index code whose pair was installed: nothing was fetched

    @property
    def package(self) -> InstalledPackage | None:
        """The Argos package, when the model is one."""
        return self.model.package


def install(spec: str, settings: Settings, index: Callable[[], package_index.PackageIndex],
            progress: package_index.ProgressCallback | None = None, *,
            family: str | None = None, name: str | None = None,
            langs: list[str] | None = None) -> Installed:
    """Install by file, folder or index code; ``index`` fetches the index only when needed.

    An index code whose pair is installed already installs nothing (it works offline);
    ``models remove`` first replaces it with the index's package. Files and folders of
    every family install through :func:`install_model`.
    """
    if is_local_path(spec) or family not in (None, "argos"):
        return Installed(install_model(Path(spec), settings, family, name=name, langs=langs))
    pair = package_index.parse_pair(spec, settings.tgt_lang)
    if (present := newest_packages(settings.models_dir).get(pair)) is not None:
        return Installed(from_package(present), already=True)
    return Installed(from_package(install_from_index(spec, settings, index(), progress)))


def remove(code: str, settings: Settings) -> list[InstalledModel]:
    """Remove a model by name, or every Argos package for a language code, pair or code.

    Raises:
        UnknownPackage: nothing installed answers to ``code``.
    """
    named = [m for m in installed_models(settings.models_dir)
             if m.name == code and m.package is None]
    if named:
        for model in named:
            uninstall_model(model)
        return named
    pair = package_index.parse_pair(code, settings.tgt_lang)
    doomed = [p for p in installed_packages(settings.models_dir) if p.pair == pair]
    if not doomed:
        raise UnknownPackage(f"no installed package for {code!r} in {settings.models_dir}")
    for package in doomed:
        uninstall(package)
    return [from_package(p) for p in doomed]


def uninstall_model(model: InstalledModel) -> None:
    """Remove a non-Argos model's folder.

    Raises:
        PackageError: it could not be removed (permissions, say).
    """
    import shutil

    try:
        shutil.rmtree(model.path)
    except OSError as err:
        raise PackageError(model.path, f"cannot remove: {err.strerror or err}") from err


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
