"""Where long work is reported: the CLI draws bars, tests count calls, the library never prints."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Where the pipeline reports long work; the CLI draws bars, tests count calls."""

    def start(self, label: str, total: int) -> None:
        """A task of ``total`` units begins."""

    def advance(self, n: int) -> None:
        """``n`` more units are done."""

    def finish(self) -> None:
        """The task ended."""


class NoProgress:
    """Report nothing."""

    def start(self, label: str, total: int) -> None:
        """Ignore."""

    def advance(self, n: int) -> None:
        """Ignore."""

    def finish(self) -> None:
        """Ignore."""
