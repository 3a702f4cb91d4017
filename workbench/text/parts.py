"""An article whose structure its source already gives: an HTML page or a feed entry.

Text files are labelled line by line from their wording; a page or a feed entry says which
line is the headline and which are captions, and carries its URL, date and author. Those
parts override what labelling would guess; everything else is labelled as for text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.records import Kind


@dataclass
class ArticleParts:
    """Lines in reading order, each with the kind the source gives it (None: label it)."""

    lines: list[tuple[Kind | None, str]] = field(default_factory=list)
    source_url: str | None = None
    site: str | None = None
    date: str | None = None
    byline: str | None = None
    lang: str | None = None  # a language the source declares (a feed's ``lang``)
    removed_chars: int = 0  # page text left out (menus, banners, related links...)

    def text(self) -> str:
        """The lines as one text, one line each (inner line breaks become spaces)."""
        return "\n".join(" ".join(line.split()) for _, line in self.lines)

    def kinds(self) -> dict[int, Kind]:
        """The given kinds by 1-based line number of :meth:`text`."""
        return {n: kind for n, (kind, _) in enumerate(self.lines, 1) if kind is not None}
