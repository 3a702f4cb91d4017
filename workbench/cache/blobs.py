"""Blobs on their way into the cache, batched: prepared articles, matches, QA flags, lemmas."""

from __future__ import annotations

from workbench.cache.store import TranslationCache


class BlobBuffer:
    """Blobs on their way into the cache: written ``every`` at a time, in one transaction.

    A run stores one blob per article in several tables (prepared articles, matches, QA
    flags); a transaction each would cost more than the work. Lookups see what is still
    buffered. ``flush`` writes the rest.
    """

    def __init__(self, cache: TranslationCache, every: int = 200) -> None:
        self.cache = cache
        self.every = every
        self._pending: dict[str, dict[str, bytes]] = {}

    def get(self, table: str, key: str) -> bytes | None:
        """A blob, buffered or stored."""
        return self._pending.get(table, {}).get(key) or self.cache.get_blob(table, key)

    def put(self, table: str, key: str, blob: bytes) -> None:
        """Buffer a blob; write the buffer once it holds ``every``."""
        self._pending.setdefault(table, {})[key] = blob
        if sum(map(len, self._pending.values())) >= self.every:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered."""
        for table, blobs in self._pending.items():
            if blobs:
                self.cache.put_blobs(table, blobs)
                blobs.clear()
