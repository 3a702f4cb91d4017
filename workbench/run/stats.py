"""What a run did: counts for the summary, ``run.json`` and the exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from workbench.records import INCOMPLETE_STATUSES


@dataclass
class RunStats:
    """What a run did, for the summary and the exit code."""

    articles: int = 0
    failed_articles: int = 0
    statuses: Counter = field(default_factory=Counter)
    missing_pairs: set[tuple[str, str]] = field(default_factory=set)
    signatures: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    #: Language pairs whose model was loaded in this run (each is loaded once per run).
    loaded_pairs: set[tuple[str, str]] = field(default_factory=set)
    #: Articles whose preparation (and glossary matches) came from the cache.
    prepared_reused: int = 0
    #: Articles whose glossary matches were computed in this run (new, edited, or glossary).
    glossary_matched: int = 0
    #: Segments translated again only because the glossary changed what they need.
    glossary_retranslated: int = 0
    glossary_missed: int = 0
    #: Segments decoded again with a forced prefix to place a missing term.
    glossary_redecoded: int = 0
    #: Automatic names (unseen Vietnamese names) the records carry: English to occurrences.
    auto_names: Counter[str] = field(default_factory=Counter)
    #: Time spent translating cache misses (tokenizing, model loading, decoding, enforcing,
    #: caching), and preparing articles (reading to matching), in seconds.
    translate_seconds: float = 0.0
    prepare_seconds: float = 0.0

    @property
    def models_loaded(self) -> int:
        """How many models this run loaded."""
        return len(self.loaded_pairs)

    @property
    def segments(self) -> int:
        """Number of records written."""
        return sum(self.statuses.values())

    @property
    def complete(self) -> bool:
        """True when every article was read and every segment meant for English got it."""
        return not self.failed_articles and not any(
            self.statuses[status] for status in INCOMPLETE_STATUSES)

    def add(self, other: RunStats) -> None:
        """Count another part of the same run in (a cluster worker's batch of articles)."""
        for name in ("articles", "failed_articles", "prepared_reused", "glossary_matched",
                     "glossary_retranslated", "glossary_missed", "glossary_redecoded",
                     "translate_seconds", "prepare_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.statuses.update(other.statuses)
        self.auto_names.update(other.auto_names)
        self.missing_pairs |= other.missing_pairs
        self.loaded_pairs |= other.loaded_pairs
        self.signatures.update(other.signatures)
        self.errors += other.errors
        self.notices += [n for n in other.notices if n not in self.notices]
