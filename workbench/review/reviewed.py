"""What one unit of a reviewer's file says, whatever the format it came in.

Every reader (the review pages' JSON, JSON Lines, XLIFF, TMX) yields these, so the checks
that decide what is stored (the rule for entered English, conflicts, the comparison with the
machine English) are made once, in :mod:`workbench.review.apply`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.records import Correction

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")


@dataclass(frozen=True, slots=True)
class ReviewedUnit:
    """One unit of a reviewer's file, as read (its English not yet checked)."""

    correction: Correction
    done: bool
    #: Where it is, for messages: ``file:line (unit ID)``, ``file: correction 3``.
    place: str = ""
    #: A review page's own correction: stored even when it equals the machine English, or
    #: when the cache never translated its source (nothing a reviewer wrote is lost).
    own: bool = False


@dataclass(frozen=True, slots=True)
class RefusedUnit:
    """A unit that cannot be read as a correction; the others go on."""

    place: str
    problem: str
