"""Installing and removing models: from the package index or from a local file.

This is the library behind ``workbench models install`` and ``remove``, and behind a run's
``--install-missing``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import PackageError, UnknownPackage, WorkbenchError
from workbench.models import index as package_index
from workbench.models.catalog import InstalledModel, from_package, installed_models
from workbench.models.ct2_folder import guess_family, install_ct2_folder, is_ct2_folder
from workbench.models.ct2_folder import read_vocabulary as ct2_vocabulary
from workbench.models.opus_mt import install_release, is_release
from workbench.models.packages import (
    InstalledPackage,
    SameVersionInstalled,
    install_archive,
    install_folder,
    installed_packages,
    newest_packages,
    uninstall,
    version_key,
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
    """Install a local ``.argosmodel`` file or unpacked package folder (verified; atomic).

    The pair keeps one version: another installed version is replaced once this one is in
    place.

    Raises:
        SameVersionInstalled: this version of the pair is installed; nothing was touched.
    """
    if path.is_dir():
        return install_folder(path, settings.models_dir, one_version=True)
    if not path.exists():
        raise PackageError(path, "no such file")
    if not path.is_file():
        raise PackageError(path, "not a regular file (a pipe or a device?)")
    return install_archive(path, settings.models_dir, one_version=True)


@dataclass(frozen=True)
class Installed:
    """A package a ``models install`` argument stands for, and whether it was there before."""

    model: InstalledModel
    already: bool = False  # the same version was installed: nothing was touched
    unchecked: bool = False  # already, but the index could not say which version it has
    replaced: tuple[str, ...] = ()  # the versions of the pair this one replaced

    @property
    def package(self) -> InstalledPackage | None:
        """The Argos package, when the model is one."""
        return self.model.package


def install(spec: str, settings: Settings, index: Callable[[], package_index.PackageIndex],
            progress: package_index.ProgressCallback | None = None, *,
            family: str | None = None, name: str | None = None,
            langs: list[str] | None = None) -> Installed:
    """Install by file, folder or index code; ``index`` fetches the index only when needed.

    One behaviour for codes, files and folders of Argos packages: the version installed
    already is left untouched (``already``); another version replaces the installed one,
    atomically (the new one is in place before the old one goes). An index code whose pair
    is installed compares versions with the index; when the index cannot be reached, the
    installed package stays (``unchecked``). Other families install through
    :func:`install_model`.
    """
    before = {p.path: p.package_version for p in installed_packages(settings.models_dir)}

    def done(package: InstalledPackage) -> Installed:
        return Installed(from_package(package), replaced=tuple(
            version for path, version in before.items()
            if path != package.path and not path.exists()))

    try:
        if is_local_path(spec) or family not in (None, "argos"):
            model = install_model(Path(spec), settings, family, name=name, langs=langs)
            return done(model.package) if model.package is not None else Installed(model)
        pair = package_index.parse_pair(spec, settings.tgt_lang)
        if (present := newest_packages(settings.models_dir).get(pair)) is not None:
            try:
                offered = index().resolve(spec, settings.tgt_lang)
            except WorkbenchError:  # offline, or the index lacks the pair: keep what is here
                return Installed(from_package(present), already=True, unchecked=True)
            if version_key(offered.package_version) == version_key(present.package_version):
                return Installed(from_package(present), already=True)
        return done(install_from_index(spec, settings, index(), progress, one_version=True))
    except SameVersionInstalled as same:
        return Installed(from_package(same.package), already=True)


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
                       progress: package_index.ProgressCallback | None = None,
                       one_version: bool = False) -> InstalledPackage:
    """Download a package named by language code (``de``, ``de_en``...) and install it.

    The download is removed afterwards, whether the install worked or not.
    """
    index = index or package_index.fetch_index(settings.index_url)
    available = index.resolve(code, settings.tgt_lang)
    archive = package_index.download(available, settings.models_dir / DOWNLOADS, progress)
    try:
        return install_archive(archive, settings.models_dir, one_version)
    finally:
        archive.unlink(missing_ok=True)
