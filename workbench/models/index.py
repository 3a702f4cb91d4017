"""The Argos package index: what it offers, and downloading a package from it.

Downloads stream to a temporary file next to the models directory and report progress
through a callback (the library never prints). A failed or interrupted download leaves
nothing behind, so it can simply be retried.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import IndexUnavailable, UnknownPackage
from workbench.models.packages import PackageInfo
from workbench.text.normalize import parse_json

#: Called with (bytes received so far, total bytes or None when the server does not say).
ProgressCallback = Callable[[int, int | None], None]
TIMEOUT_SECONDS = 30
CHUNK_BYTES = 1 << 16


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailablePackage(PackageInfo):
    """One entry of the package index."""

    links: tuple[str, ...] = ()
    sha256: str | None = None
    size: int | None = None

    @property
    def file_name(self) -> str:
        """The conventional archive name, e.g. ``translate-de_en-1_0.argosmodel``."""
        version = self.package_version.replace(".", "_")
        return f"translate-{self.from_code}_{self.to_code}-{version}.argosmodel"


@dataclass(frozen=True, slots=True)
class PackageIndex:
    """A parsed package index and the URL it came from."""

    url: str
    packages: tuple[AvailablePackage, ...] = field(default_factory=tuple)

    def to_english(self, tgt: str = "en") -> list[AvailablePackage]:
        """Translate packages into the pivot language, sorted by source language."""
        return sorted((p for p in self.packages if p.to_code == tgt), key=lambda p: p.from_code)

    def resolve(self, code: str, tgt: str = "en") -> AvailablePackage:
        """Find a package by ``de``, ``de_en``, ``de-en`` or ``translate-de_en``.

        Raises:
            UnknownPackage: nothing in the index matches.
        """
        src, dst = parse_pair(code, tgt)
        matches = [p for p in self.packages if (p.from_code, p.to_code) == (src, dst)]
        if not matches:
            offered = ", ".join(p.from_code for p in self.to_english(dst)) or "none"
            raise UnknownPackage(
                f"the package index ({self.url}) has no {src}→{dst} package; "
                f"it offers →{dst} from: {offered}"
            )
        return max(matches, key=lambda p: p.version)


def parse_pair(code: str, tgt: str = "en") -> tuple[str, str]:
    """``de``, ``de_en``, ``de-en``, ``translate-de_en`` (any case) -> ``("de", "en")``."""
    wanted = code.strip().lower().removeprefix("translate-").replace("-", "_")
    src, _, dst = wanted.partition("_")
    return src, dst or tgt


def parse_index(data: bytes, url: str) -> PackageIndex:
    """Parse index JSON, keeping translate packages and skipping malformed entries."""
    try:
        entries = parse_json(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise IndexUnavailable(f"{url}: package index is not valid JSON ({err})") from err
    if not isinstance(entries, list):
        raise IndexUnavailable(f"{url}: package index is not a JSON list")
    packages = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type", "translate") != "translate":
            continue
        src, dst = entry.get("from_code"), entry.get("to_code")
        if not isinstance(src, str) or not isinstance(dst, str):
            continue
        links = tuple(link for link in entry.get("links", []) if isinstance(link, str))
        packages.append(AvailablePackage(
            code=entry.get("code") or f"translate-{src}_{dst}",
            from_code=src, to_code=dst,
            package_version=str(entry.get("package_version", "")),
            from_name=entry.get("from_name", ""), to_name=entry.get("to_name", ""),
            links=links, sha256=entry.get("sha256") or entry.get("checksum"),
            size=entry.get("size"),
        ))
    return PackageIndex(url, tuple(packages))


def fetch_index(url: str) -> PackageIndex:
    """Download and parse the package index.

    Raises:
        IndexUnavailable: the index cannot be reached or read.
    """
    _require_http(url)
    import urllib.error  # only when fetching: it costs start-up time otherwise
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise IndexUnavailable(
            f"cannot reach the Argos package index at {url} ({reason}); offline, install "
            f"packages from files with: workbench models install FILE.argosmodel"
        ) from err
    return parse_index(data, url)


def download(package: AvailablePackage, directory: Path,
             progress: ProgressCallback | None = None) -> Path:
    """Download a package archive into ``directory``; return the file's path.

    Tries each http(s) link in turn. The file appears under its final name only when it is
    complete and matches the index's checksum, if the index gives one.

    Raises:
        IndexUnavailable: no link worked; the message lists why each failed.
    """
    links = [link for link in package.links if link.startswith(("http://", "https://"))]
    if not links:
        raise IndexUnavailable(f"{package.code}: the index lists no http(s) download link")
    directory.mkdir(parents=True, exist_ok=True)
    failures = []
    for link in links:
        try:
            return _download_one(link, package, directory, progress)
        except IndexUnavailable as err:
            failures.append(str(err))
    raise IndexUnavailable("; ".join(failures))


def _download_one(link: str, package: AvailablePackage, directory: Path,
                  progress: ProgressCallback | None) -> Path:
    import urllib.error  # only when downloading: it costs start-up time otherwise
    import urllib.request

    handle, partial = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=directory)
    digest = hashlib.sha256()
    try:
        with os.fdopen(handle, "wb") as out, \
                urllib.request.urlopen(link, timeout=TIMEOUT_SECONDS) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                if progress:
                    progress(received, total)
        if total is not None and received != total:
            raise IndexUnavailable(f"{link}: download broke off at {received} of {total} bytes")
        if package.sha256 and digest.hexdigest() != package.sha256.lower():
            raise IndexUnavailable(f"{link}: checksum mismatch (the index says "
                                   f"{package.sha256}, the download is {digest.hexdigest()})")
        final = directory / package.file_name
        os.replace(partial, final)
        return final
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise IndexUnavailable(f"{link}: download failed ({reason})") from err
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _require_http(url: str) -> None:
    if not url.startswith(("http://", "https://", "file://")):
        raise IndexUnavailable(f"{url}: the package index must be an http(s) or file URL")
