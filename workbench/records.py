"""The records a run produces, and their JSON wire format, defined once.

Records are frozen dataclasses; change one with :func:`dataclasses.replace`. ``to_dict`` and
``from_dict`` are the only places that know the JSON shape, so every writer and reader agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class Kind(StrEnum):
    """What a line of an article is. Every line gets one; none is dropped."""

    TITLE = "title"
    BODY = "body"
    CAPTION = "caption"
    SOURCE = "source"
    BYLINE = "byline"
    DATELINE = "dateline"
    BOILERPLATE = "boilerplate"


#: Kinds whose text is meant to be translated; everything else is kept as is.
TRANSLATED_KINDS = frozenset({Kind.TITLE, Kind.BODY, Kind.CAPTION})

#: The types of glossary entry.
TERM_TYPES = ("person", "title", "body", "document", "place")


class Status(StrEnum):
    """What happened to a segment's translation."""

    TRANSLATED = "translated"  # the engine translated it in this run
    CACHED = "cached"  # a previous run's translation was reused
    APPROVED = "approved"  # a reviewer's correction was used
    KEPT = "kept"  # not meant for translation (boilerplate, already English, Vietnamese...)
    NO_MODEL = "no-model"  # meant for translation, but no model for its language is installed
    FAILED = "failed"  # the engine failed on it


def shown_status(status: Status) -> Status:
    """The status TMX, XLIFF and the review pages show.

    Machine English is ``translated`` there whether this run or an earlier one made it
    (``records.jsonl`` and ``run.json`` say which), so a re-run that changes nothing leaves
    those files exactly as they were, and they need not be written again.
    """
    return Status.TRANSLATED if status is Status.CACHED else status


#: Statuses of a record whose English came from a model or a reviewer: what TMX, XLIFF and
#: QA carry.
WITH_ENGLISH = frozenset({Status.TRANSLATED, Status.CACHED, Status.APPROVED})
#: Statuses that mean the segment still needs work; any of them makes a run incomplete.
INCOMPLETE_STATUSES = frozenset({Status.NO_MODEL, Status.FAILED})


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentence (or kept line) of an article: the unit of alignment."""

    article: str
    index: int  # 0-based, contiguous within the article: the alignment key
    kind: Kind
    text: str
    src_lang: str
    line: int  # 1-based line of the normalized article this segment comes from
    flags: tuple[str, ...] = ()


class GlossaryHitDict(TypedDict):
    """Wire format of one glossary term matched in a segment."""

    term: str
    target: str
    found: bool
    enforced: str
    cause: NotRequired[str]


@dataclass(frozen=True, slots=True)
class GlossaryHit:
    """A glossary term matched in the source and whether its target reached the English."""

    term: str
    target: str
    found: bool
    enforced: str
    #: Why a ``missed`` term could not be placed (empty when found).
    cause: str = ""

    def to_dict(self) -> GlossaryHitDict:
        """Return the wire format (``cause`` only for a missed term)."""
        data: GlossaryHitDict = {"term": self.term, "target": self.target, "found": self.found,
                                 "enforced": self.enforced}
        if self.cause:
            data["cause"] = self.cause
        return data


class RecordDict(TypedDict):
    """Wire format of one line of ``records.jsonl``."""

    article: str
    index: int
    kind: str
    src_lang: str
    src: str
    tgt_lang: str
    tgt: str | None
    status: str
    score: float | None
    glossary: list[GlossaryHitDict]
    flags: list[str]
    line: int


@dataclass(frozen=True, slots=True)
class Record:
    """A segment and its English: one line of ``records.jsonl``."""

    article: str
    index: int
    kind: Kind
    src_lang: str
    src: str
    tgt_lang: str
    tgt: str | None
    status: Status
    score: float | None = None
    glossary: tuple[GlossaryHit, ...] = ()
    flags: tuple[str, ...] = ()
    line: int = 0

    @classmethod
    def of(cls, segment: Segment, tgt_lang: str, tgt: str | None, status: Status,
           score: float | None = None, **extra: Any) -> Record:
        """Build the record of a segment."""
        return cls(article=segment.article, index=segment.index, kind=segment.kind,
                   src_lang=segment.src_lang, src=segment.text, tgt_lang=tgt_lang, tgt=tgt,
                   status=status, score=score, flags=segment.flags, line=segment.line, **extra)

    def to_dict(self) -> RecordDict:
        """Return the wire format."""
        return {
            "article": self.article, "index": self.index, "kind": self.kind.value,
            "src_lang": self.src_lang, "src": self.src, "tgt_lang": self.tgt_lang,
            "tgt": self.tgt, "status": self.status.value,
            "score": None if self.score is None else round(self.score, 4),
            "glossary": [hit.to_dict() for hit in self.glossary],
            "flags": list(self.flags), "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: RecordDict) -> Record:
        """Rebuild a record from its wire format."""
        return cls(
            article=data["article"], index=data["index"], kind=Kind(data["kind"]),
            src_lang=data["src_lang"], src=data["src"], tgt_lang=data["tgt_lang"],
            tgt=data["tgt"], status=Status(data["status"]), score=data["score"],
            glossary=tuple(GlossaryHit(**hit) for hit in data["glossary"]),
            flags=tuple(data["flags"]), line=data["line"],
        )


class ArticleDict(TypedDict):
    """Wire format of one line of ``articles.jsonl``."""

    article: str
    path: str
    lang: str | None
    lang_confidence: float | None
    source_url: str | None
    byline: str | None
    site: str | None
    date: str | None
    segments: dict[str, int]
    removed_chars: int
    error: str | None


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """Per-file metadata: one line of ``articles.jsonl``, also for files that failed."""

    article: str
    path: str
    lang: str | None = None
    lang_confidence: float | None = None
    source_url: str | None = None
    byline: str | None = None
    site: str | None = None
    date: str | None = None
    segments: dict[str, int] = field(default_factory=dict)
    removed_chars: int = 0
    error: str | None = None

    def to_dict(self) -> ArticleDict:
        """Return the wire format."""
        return {
            "article": self.article, "path": self.path, "lang": self.lang,
            "lang_confidence": None if self.lang_confidence is None
            else round(self.lang_confidence, 4),
            "source_url": self.source_url, "byline": self.byline, "site": self.site,
            "date": self.date, "segments": dict(self.segments),
            "removed_chars": self.removed_chars, "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: ArticleDict) -> ArticleInfo:
        """Rebuild article metadata from its wire format."""
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Correction:
    """A reviewer's English for one source sentence."""

    src_lang: str
    tgt_lang: str
    src: str
    tgt: str
    article: str = ""
    index: int = -1
