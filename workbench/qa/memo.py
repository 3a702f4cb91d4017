"""QA flags kept in the cache, article by article: re-running unchanged articles checks nothing.

The checks cost about 30 µs a record, a third of a warm re-run. An article's key hashes what
the checks read of each record (:func:`qa.checked_fields`) and the checks' own code; the
stored blob is each record's QA flags. A blob that does not fit is checked again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from workbench.cache.blobs import BlobBuffer
from workbench.cache.fingerprint import code_fingerprint
from workbench.cache.keys import key_of
from workbench.cache.store import TranslationCache
from workbench.qa.checks import checked_fields, is_qa_flag, with_qa, with_qa_flags
from workbench.records import Record

#: The code whose change re-checks every record.
CHECKS_CODE = ("workbench.qa.checks",)


class QAMemo:
    """Check an article's records, or take their flags from the cache."""

    def __init__(self, cache: TranslationCache) -> None:
        self._blobs = BlobBuffer(cache)
        self._code = code_fingerprint(*CHECKS_CODE)

    def checked(self, records: Sequence[Record]) -> tuple[Record, ...]:
        """The records with their ``qa:*`` flags."""
        key = key_of([self._code, *(checked_fields(r) for r in records)])
        blob = self._blobs.get("qa", key)
        stored = _decoded(blob, len(records)) if blob is not None else None
        if stored is not None:
            return tuple(with_qa_flags(r, f) for r, f in zip(records, stored, strict=True))
        if blob is not None:
            self._blobs.cache.damaged += 1  # checked again, and stored over it
        checked = tuple(with_qa(r) for r in records)
        self._blobs.put("qa", key, json.dumps(
            [[f for f in r.flags if is_qa_flag(f)] for r in checked]).encode())
        return checked

    def flush(self) -> None:
        """Write the flags checked since the last flush."""
        self._blobs.flush()


def _decoded(blob: bytes, count: int) -> list[tuple[str, ...]] | None:
    try:
        flags = json.loads(blob)
    except ValueError:
        return None
    if not isinstance(flags, list) or len(flags) != count or not all(
            isinstance(own, list) and all(isinstance(f, str) and is_qa_flag(f)
                                          for f in own) for own in flags):
        return None
    return [tuple(own) for own in flags]
