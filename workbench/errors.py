"""Exceptions the user can act on.

The library raises these and never prints or exits; the CLI prints ``str(err)`` on one line
and sets the exit code. Anything else escaping the library is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path

from workbench.display import display_path


class WorkbenchError(Exception):
    """A problem the user can fix; its message is one line."""


class InputError(WorkbenchError):
    """An input file (article, glossary, archive...) is unusable; names the file and the place."""

    def __init__(self, path: Path | str, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.path = Path(path)
        self.problem = problem
        self.line = line

    def __reduce__(self) -> tuple:
        """Pickle with all three fields (Ray sends errors of cluster tasks back this way)."""
        return (type(self), (self.path, self.problem, self.line))

    def __str__(self) -> str:
        where = "standard input" if str(self.path) == "-" else display_path(self.path)
        where = f"{where}:{self.line}" if self.line else where
        return f"{where}: {self.problem}"


class PackageError(InputError):
    """An Argos package archive was refused; nothing was installed."""


class IndexUnavailable(WorkbenchError):
    """The Argos package index or a download link could not be reached or read."""


class ModelNotInstalled(WorkbenchError):
    """No installed Argos package translates this language pair."""

    def __init__(self, src: str, tgt: str, models_dir: Path) -> None:
        self.src, self.tgt, self.models_dir = src, tgt, models_dir
        super().__init__(
            f"no model for {src}→{tgt} in {models_dir}; "
            f"install one with: workbench models install {src}"
        )


class UnknownPackage(WorkbenchError):
    """The package index offers nothing under the requested code."""


class CacheError(WorkbenchError):
    """The translation cache is corrupt, locked, or not a workbench cache."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{display_path(path)}: {problem}")


class OutputError(InputError):
    """An output file or folder cannot be written; earlier outputs are left as they were."""
