"""Reviewer approvals in the cache: approved English, keyed by language pair and source text.

Not by engine or glossary: a reviewer's English survives model upgrades and glossary edits,
and is used by every later run and export without loading a model.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from workbench.cache.keys import text_key
from workbench.errors import CacheError
from workbench.records import Correction

P = ParamSpec("P")
R = TypeVar("R")


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn SQLite failures mid-run (a corrupt page, a full disk) into one-line CacheErrors."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.DatabaseError as err:
            raise CacheError(getattr(args[0], "path", "the cache"),
                             f"{err}; translations committed before this are kept") from err

    return wrapper


class ReviewerApprovals:
    """The approvals table; mixed into :class:`~workbench.cache.store.TranslationCache`."""

    conn: sqlite3.Connection

    def _rows(self, query: str, keys: Iterable[str]) -> Iterator[tuple]:
        raise NotImplementedError

    def _write(self, table: str, rows: list[dict]) -> None:
        raise NotImplementedError

    def _immediate(self) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError

    @guarded
    def approve(self, corrections: Iterable[Correction]) -> int:
        """Store reviewer corrections (replacing earlier ones for the same source)."""
        now = datetime.now(UTC).isoformat()
        rows = [{"text_key": text_key(c.src_lang, c.tgt_lang, c.src), "src_lang": c.src_lang,
                 "tgt_lang": c.tgt_lang, "source": c.src, "target": c.tgt,
                 "article": c.article, "idx": c.index, "created": now} for c in corrections]
        self._write("approvals", rows)
        return len(rows)

    @guarded
    def unmatched(self, corrections: Sequence[Correction]) -> tuple[list[Correction],
                                                                     list[Correction]]:
        """Corrections for a language pair, or a sentence, this cache never translated."""
        pairs = {(src, tgt) for src, tgt in self.conn.execute(
            "select distinct src_lang, tgt_lang from translations").fetchall()}
        unknown_pair = [c for c in corrections if (c.src_lang, c.tgt_lang) not in pairs]
        rest = [c for c in corrections if (c.src_lang, c.tgt_lang) in pairs]
        keys = {text_key(c.src_lang, c.tgt_lang, c.src) for c in rest}
        known = {k for (k,) in self._rows("select distinct segment_text_key from translations "
                                          "where segment_text_key in ({marks})", keys)}
        known |= {k for (k,) in self._rows(
            "select text_key from approvals where text_key in ({marks})", keys)}
        unknown_segment = [c for c in rest
                           if text_key(c.src_lang, c.tgt_lang, c.src) not in known]
        return unknown_pair, unknown_segment

    @guarded
    def approved(self, src: str, tgt: str, sources: Sequence[str]) -> dict[str, str]:
        """Approved English for those source texts that have one."""
        keys = {text_key(src, tgt, s): s for s in sources}
        return {keys[key]: target for key, target in self._rows(
            "select text_key, target from approvals where text_key in ({marks})", keys)}

    @guarded
    def replace_approval(self, correction: Correction, expected: str | None) -> str | None:
        """Approve ``correction`` (None: withdraw) only if the approval is still ``expected``.

        One write transaction reads and writes, so two desks on one cache cannot both win.
        Returns None when done, else the approved English found instead ("" for none).
        """
        key = text_key(correction.src_lang, correction.tgt_lang, correction.src)
        with self._immediate():
            row = self.conn.execute("select target from approvals where text_key = ?",
                                    (key,)).fetchone()
            if (row[0] if row else None) != expected:
                return row[0] if row else ""
            if correction.tgt:
                self.conn.execute(
                    "insert or replace into approvals (text_key, src_lang, tgt_lang, source, "
                    "target, article, idx, created) values (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, correction.src_lang, correction.tgt_lang, correction.src,
                     correction.tgt, correction.article, correction.index,
                     datetime.now(UTC).isoformat()))
            else:
                self.conn.execute("delete from approvals where text_key = ?", (key,))
        return None

    @guarded
    def approval_keys(self) -> set[str]:
        """The :func:`text_key` of every approved source text."""
        return {key for (key,) in self.conn.execute("select text_key from approvals")}

    @guarded
    def approved_texts(self) -> list[tuple[str, str]]:
        """(source, approved English) of every approval (reviewers make thousands, not more)."""
        return self.conn.execute("select source, target from approvals").fetchall()

    @guarded
    def has_approvals(self) -> bool:
        """Whether any reviewer correction is stored."""
        return self.conn.execute("select exists(select 1 from approvals)").fetchone()[0] == 1
