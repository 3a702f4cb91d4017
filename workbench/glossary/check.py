"""Term QA across a run: every missed term, forbidden renderings, inconsistent concepts.

Reads a run's ``records.jsonl``. A term is *missed* where a record says its target did not
reach the English. A concept is *inconsistent* when the same target was delivered in some
articles and missed in others, or reached the English through different enforcement in a way
a reviewer should look at (an attention repair next to model renderings).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from workbench.outputs.run_folder import read_records
from workbench.qa.checks import holds


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One matched term in one record."""

    article: str
    index: int
    term: str
    target: str
    found: bool
    enforced: str
    forbidden: str = ""  # a rendering the glossary forbids, used in the English
    lang: str = ""


@dataclass
class TermReport:
    """Everything a run did with one glossary target."""

    target: str
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def missed(self) -> list[Occurrence]:
        """Occurrences whose target did not reach the English."""
        return [o for o in self.occurrences if not o.found]

    @property
    def forbidden(self) -> list[Occurrence]:
        """Occurrences whose English uses a rendering the glossary forbids for the entry."""
        return [o for o in self.occurrences if o.forbidden]

    def usage(self) -> dict:
        """How often the entry was found, per language and per way it was enforced."""
        return {"hits": len(self.occurrences),
                "languages": dict(Counter(o.lang for o in self.occurrences).most_common()),
                "enforced": dict(Counter(o.enforced for o in self.occurrences).most_common()),
                "missed": len(self.missed), "forbidden": len(self.forbidden),
                "articles": sorted({o.article for o in self.occurrences})}

    @property
    def inconsistent(self) -> bool:
        """Delivered in some articles and missed in others."""
        found_in = {o.article for o in self.occurrences if o.found}
        missed_in = {o.article for o in self.occurrences if not o.found}
        return bool(found_in and missed_in)


def check_run(out_dir: Path) -> list[TermReport]:
    """Collect every glossary occurrence of a run, grouped by target, most missed first."""
    reports: dict[str, TermReport] = defaultdict(lambda: TermReport(""))
    for record in read_records(out_dir):
        for hit in record.glossary:
            report = reports[hit.target]
            report.target = hit.target
            english = (record.tgt or "").casefold()
            used = next((f for f in hit.forbidden if holds(english, f.casefold())), "")
            report.occurrences.append(Occurrence(record.article, record.index, hit.term,
                                                 hit.target, hit.found, hit.enforced, used,
                                                 record.src_lang))
    return sorted(reports.values(), key=lambda r: (-len(r.missed) - len(r.forbidden),
                                                   r.target))
