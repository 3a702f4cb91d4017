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
    #: A photo credit or caption label standing alone ("Foto: VNA", "Bildtext"): kept.
    CREDIT = "credit"
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
    forbidden: NotRequired[list[str]]
    auto: NotRequired[bool]


@dataclass(frozen=True, slots=True)
class GlossaryHit:
    """A glossary term matched in the source and whether its target reached the English."""

    term: str
    target: str
    found: bool
    enforced: str
    #: Why a ``missed`` term could not be placed (empty when found).
    cause: str = ""
    #: English renderings the glossary forbids for this entry (QA flags them).
    forbidden: tuple[str, ...] = ()
    #: A provisional term: an unseen name found in the run, not a curated entry.
    auto: bool = False

    @classmethod
    def from_dict(cls, data: Any) -> GlossaryHit:
        """Rebuild a hit from its wire format, checking every field (others are ignored).

        Raises:
            FieldError: a field is missing or of the wrong type.
        """
        return _hit(data, 0)

    def to_dict(self) -> GlossaryHitDict:
        """Return the wire format (``cause`` only for a missed term)."""
        data: GlossaryHitDict = {"term": self.term, "target": self.target, "found": self.found,
                                 "enforced": self.enforced}
        if self.cause:
            data["cause"] = self.cause
        if self.forbidden:
            data["forbidden"] = list(self.forbidden)
        if self.auto:
            data["auto"] = True
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
        """Rebuild a record from its wire format, checking every field.

        Fields a newer version added are ignored.

        Raises:
            FieldError: a field is missing or of the wrong type or range.
        """
        d: dict = data  # type: ignore[assignment]
        return cls(
            article=_text(d, "article"), index=_whole(d, "index"),
            kind=_choice(d, "kind", Kind), src_lang=_text(d, "src_lang"), src=_text(d, "src"),
            tgt_lang=_text(d, "tgt_lang"), tgt=_text(d, "tgt", optional=True),
            status=_choice(d, "status", Status), score=_number(d, "score"),
            glossary=tuple(_hit(hit, n) for n, hit in enumerate(_list(d, "glossary"))),
            flags=tuple(_texts(d, "flags")), line=_whole(d, "line", required=False),
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
        """Rebuild article metadata from its wire format, checking every field.

        Raises:
            FieldError: a field is missing or of the wrong type or range.
        """
        d: dict = data  # type: ignore[assignment]
        segments = d.get("segments", {})
        if not isinstance(segments, dict) or not all(
                isinstance(k, str) and _is_whole(v) for k, v in segments.items()):
            raise FieldError("segments", "must map kinds to counts")
        return cls(
            article=_text(d, "article"), path=_text(d, "path"),
            lang=_text(d, "lang", optional=True),
            lang_confidence=_number(d, "lang_confidence"),
            source_url=_text(d, "source_url", optional=True),
            byline=_text(d, "byline", optional=True), site=_text(d, "site", optional=True),
            date=_text(d, "date", optional=True), segments=dict(segments),
            removed_chars=_whole(d, "removed_chars", required=False),
            error=_text(d, "error", optional=True))


class FieldError(ValueError):
    """A field of a record or article line that this version cannot use."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.field = name


_MISSING = object()
#: Larger indexes and line numbers than any article can have (an article is at most 50 MB).
MAX_POSITION = 10**9


def _text(data: dict, name: str, optional: bool = False) -> Any:
    """A text field; with ``optional``, null or absent (None) too."""
    value = data.get(name, _MISSING)
    if isinstance(value, str):
        return value
    if optional and (value is None or value is _MISSING):
        return None
    raise FieldError(name, "missing" if value is _MISSING else
                     f"must be text{' or null' if optional else ''} (got {_shown(value)})")


def _is_whole(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_POSITION


def _whole(data: dict, name: str, required: bool = True) -> int:
    value = data.get(name, _MISSING)
    if value is _MISSING and not required:
        return 0
    if _is_whole(value):
        return value
    raise FieldError(name, "missing" if value is _MISSING else
                     f"must be a whole number from 0 to {MAX_POSITION} (got {_shown(value)})")


def _number(data: dict, name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if type(value) in (int, float) and value == value and abs(value) != float("inf"):
        return value
    raise FieldError(name, f"must be a number or null (got {_shown(value)})")


def _choice(data: dict, name: str, choices: type[StrEnum]) -> Any:
    value = data.get(name, _MISSING)
    try:
        return choices(value)
    except ValueError:
        raise FieldError(name, "missing" if value is _MISSING else
                         f"must be one of {', '.join(c.value for c in choices)} "
                         f"(got {_shown(value)})") from None


def _list(data: dict, name: str) -> list:
    value = data.get(name, [])
    if isinstance(value, list):
        return value
    raise FieldError(name, f"must be a list (got {_shown(value)})")


def _texts(data: dict, name: str) -> list[str]:
    values = _list(data, name)
    if all(isinstance(v, str) for v in values):
        return values
    raise FieldError(name, "must be a list of text")


def _hit(hit: Any, n: int) -> GlossaryHit:
    name = f"glossary[{n}]"
    if not isinstance(hit, dict):
        raise FieldError(name, f"must be an object (got {_shown(hit)})")
    found = hit.get("found")
    if not isinstance(found, bool):
        raise FieldError(f"{name}.found", f"must be true or false (got {_shown(found)})")
    try:
        forbidden = hit.get("forbidden", [])
        if not isinstance(forbidden, list) or not all(isinstance(f, str) for f in forbidden):
            raise FieldError("forbidden", "must be a list of text")
        auto = hit.get("auto", False)
        if not isinstance(auto, bool):
            raise FieldError("auto", f"must be true or false (got {_shown(auto)})")
        return GlossaryHit(term=_text(hit, "term"), target=_text(hit, "target"), found=found,
                           enforced=_text(hit, "enforced"),
                           cause=_text(hit, "cause", optional=True) or "",
                           forbidden=tuple(forbidden), auto=auto)
    except FieldError as err:
        raise FieldError(f"{name}.{err.field}", str(err).split(": ", 1)[1]) from None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True, slots=True)
class Correction:
    """A reviewer's English for one source sentence."""

    src_lang: str
    tgt_lang: str
    src: str
    tgt: str
    article: str = ""
    index: int = -1
