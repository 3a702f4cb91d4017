"""Model management: install from the package index or from files, list, and look up engines.

This is the library behind ``workbench models ...`` and behind the engine lookup of a run,
which loads an engine only for pairs that actually have something to translate.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workbench import index as package_index
from workbench.engines.argos import ArgosEngine
from workbench.engines.base import Engine
from workbench.errors import IndexUnavailable, PackageError, UnknownPackage, WorkbenchError
from workbench.packages import (
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


def install(spec: str, settings: Settings, index: Callable[[], package_index.PackageIndex],
            progress: package_index.ProgressCallback | None = None) -> InstalledPackage:
    """Install by file, folder or index code; ``index`` fetches the index only when needed."""
    if is_local_path(spec):
        return install_local(Path(spec), settings)
    return install_from_index(spec, settings, index(), progress)


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


@dataclass
class ArgosEngines:
    """Engine lookup for a run: one lazily-loaded engine per pair, created on first request.

    With ``install_missing``, a pair without a package is installed from the index once;
    if that fails (offline, say) the reason is kept in ``problems`` and the pair stays
    missing.
    """

    settings: Settings
    install_missing: bool = False
    on_download: Callable[[str], package_index.ProgressCallback | None] | None = None
    problems: list[str] = field(default_factory=list)
    _engines: dict[tuple[str, str], Engine | None] = field(default_factory=dict)
    _packages: dict[tuple[str, str], InstalledPackage] | None = None
    _index: package_index.PackageIndex | None = None
    _index_failed: bool = False

    def __call__(self, src: str, tgt: str) -> Engine | None:
        """The engine for a pair, or ``None`` when no package is (or can be) installed."""
        pair = (src, tgt)
        if pair not in self._engines:
            package = self._installed().get(pair)
            if package is None and self.install_missing:
                package = self._install(src, tgt)
            self._engines[pair] = ArgosEngine(package, self.settings) if package else None
        return self._engines[pair]

    def installed(self, src: str, tgt: str) -> bool:
        """Whether a package for the pair is installed (nothing is installed to find out)."""
        return (src, tgt) in self._installed()

    def _installed(self) -> dict[tuple[str, str], InstalledPackage]:
        if self._packages is None:
            self._packages = newest_packages(self.settings.models_dir)
        return self._packages

    def _install(self, src: str, tgt: str) -> InstalledPackage | None:
        if self._index_failed:
            return None
        try:
            if self._index is None:
                self._index = package_index.fetch_index(self.settings.index_url)
            progress = self.on_download(f"{src}_{tgt}") if self.on_download else None
            package = install_from_index(f"{src}_{tgt}", self.settings, self._index, progress)
        except IndexUnavailable as err:
            self._index_failed = self._index is None
            self.problems.append(str(err))
            return None
        except (UnknownPackage, WorkbenchError) as err:
            self.problems.append(str(err))
            return None
        self._installed()[package.pair] = package
        return package
