"""Fingerprints of the code behind a stored result, so that a code change invalidates it.

Code is named by module (``workbench.text`` is every file of that package) or by a package's
data folder (``workbench.outputs:templates``), never by path: a name that no longer resolves
raises, so moving a module cannot silently stop invalidating what it decides.
"""

from __future__ import annotations

import functools
import importlib.util
from importlib import resources
from pathlib import Path

from workbench import __version__
from workbench.cache.keys import key_of


@functools.cache
def code_fingerprint(*names: str) -> str:
    """Hash of the named modules, packages and data folders, and of the version."""
    return key_of(_parts(names))


def _parts(names: tuple[str, ...]):
    yield __version__
    for name in names:
        for path in code_files(name):
            yield path.name
            yield path.read_bytes()


def code_files(name: str) -> list[Path]:
    """The files a fingerprint name stands for; ``LookupError`` if it names nothing."""
    if ":" in name:
        package, folder = name.split(":", 1)
        root = Path(str(resources.files(package) / folder))
        files = sorted(p for p in root.glob("*") if p.is_file())
    else:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise LookupError(f"no module {name}")
        if spec.submodule_search_locations:  # a package: every module in it
            files = sorted(Path(spec.origin).parent.glob("*.py"))
        else:
            files = [Path(spec.origin)]
    if not files:
        raise LookupError(f"{name} holds no files")
    return files
