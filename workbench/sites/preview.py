"""Which lines of a run site rules change: for ``labels --preview``, the desk, and the run.

A prepared article (or a run's records) holds each line as segments: a kept line whole, a
translated line as its sentences, which joined with single spaces give the line back
(``text.segment``). So the lines, their kinds and the kinds rules would give them are known
without reading or labelling the article again; the run prepares again only an article
where a rule changes a line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from workbench.records import ArticleInfo, Kind, Record, Segment
from workbench.sites.rules import RuleSet, article_site


@dataclass(frozen=True, slots=True)
class ArticleLine:
    """One line of an article as a run left it: its number, kind, text and first segment."""

    number: int
    kind: Kind
    text: str
    index: int


def article_lines(pieces: Iterable[Segment | Record]) -> list[ArticleLine]:
    """An article's lines from its segments or records, in order."""
    lines: list[ArticleLine] = []
    texts: list[list[str]] = []
    for piece in pieces:
        text = piece.text if isinstance(piece, Segment) else piece.src
        if lines and lines[-1].number == piece.line:
            texts[-1].append(text)
            continue
        lines.append(ArticleLine(piece.line, piece.kind, "", piece.index))
        texts.append([text])
    return [ArticleLine(line.number, line.kind, " ".join(parts), line.index)
            for line, parts in zip(lines, texts, strict=True)]


def relabels(pieces: Iterable[Segment | Record], kind_of: Callable[[str], Kind | None]
             ) -> bool:
    """Whether rules (``kind_of``) would change the kind of any line of an article."""
    return any((new := kind_of(line.text)) is not None and new != line.kind
               for line in article_lines(pieces))


@dataclass(frozen=True, slots=True)
class LineChange:
    """A line whose kind an edit changes; ``new`` None: back to what the labeller says."""

    article: str
    line: int
    index: int
    text: str
    old: Kind
    new: Kind | None


@dataclass
class RulesPreview:
    """What an edit of one site's rules would change in a run."""

    site: str
    changes: list[LineChange] = field(default_factory=list)
    articles: int = 0  # articles in the run
    site_articles: int = 0  # of them, articles of the site
    unsited: int = 0  # articles with no known site: no rule applies to them

    @property
    def changed_articles(self) -> int:
        """How many articles the change relabels (and a run prepares again)."""
        return len({c.article for c in self.changes})

    def notes(self) -> Iterator[str]:
        """Why a rule may change nothing here, in words."""
        if not self.site_articles:
            yield (f"no article of this run is from {self.site}: the rule changes nothing "
                   "here (it applies to that site's articles in later runs)")
        if self.unsited:
            yield (f"{self.unsited} article{'s' if self.unsited != 1 else ''} of this run "
                   f"{'have' if self.unsited != 1 else 'has'} no known site (no source URL) "
                   "and get no site rules")


def preview_edit(articles: Iterable[tuple[ArticleInfo, list[Record]]], before: RuleSet | None,
                 after: RuleSet | None, site: str) -> RulesPreview:
    """The lines of these articles (a run's) whose kind an edit of the rules changes.

    Only lines where the two say different things count: a line the edit gives a kind
    changes when that kind differs from the run's; a line only a removed rule gave its
    kind goes back to the labeller's (``new`` None), which the next run decides.
    """
    shown = RulesPreview(site)
    for info, records in articles:
        shown.articles += 1
        found = article_site(info.source_url, info.site)
        if found is None:
            shown.unsited += 1
        if found != site:
            continue
        shown.site_articles += 1
        for line in article_lines(records):
            new = after.kind_of(line.text) if after is not None else None
            old = before.kind_of(line.text) if before is not None else None
            if new == old:  # this edit does not change what the rules say of the line
                continue
            if new is None:
                shown.changes.append(LineChange(info.article, line.number, line.index,
                                                line.text, line.kind, None))
            elif new != line.kind:
                shown.changes.append(LineChange(info.article, line.number, line.index,
                                                line.text, line.kind, new))
    return shown
