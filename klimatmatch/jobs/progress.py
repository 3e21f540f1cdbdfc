"""How a job reports progress: the `Progress` a handler calls, the throttle that writes it to
the job's row, and an embedder wrapper that counts the texts it encodes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from matcher import Embedder

log = logging.getLogger("klimatmatch.jobs")


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None, message: str = "") -> None: ...


@dataclass
class CountingEmbedder:
    """The configured model, counting the texts it encodes into the job's progress (texts
    already in the cache are not encoded, so after a model change the count is the work)."""

    inner: Embedder
    progress: Progress
    total: int
    encoded: int = field(default=0, init=False)

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet (copying): never recurse
            raise AttributeError(name)
        return getattr(self.inner, name)

    def encode_queries(self, texts: Any, progress: Any = None) -> Any:
        return self._count(self.inner.encode_queries(texts, progress), len(texts))

    def encode_documents(self, texts: Any, progress: Any = None) -> Any:
        return self._count(self.inner.encode_documents(texts, progress), len(texts))

    def fit(self, corpus: Any) -> CountingEmbedder:
        self.inner.fit(corpus)
        return self

    def _count(self, vectors: Any, n: int) -> Any:
        self.encoded += n
        self.progress(min(self.encoded, self.total), self.total)
        return vectors


class ThrottledProgress:
    """Writes progress at most once a second (and always the last call before the end), and
    logs counts and rate, so a handler may report after every text without flooding the
    database."""

    def __init__(
        self, write: Callable[[int, int | None, str], bool], label: str, every: float = 1.0
    ) -> None:
        self._write = write
        self._label = label
        self._every = every
        self._started = time.monotonic()
        self._last = float("-inf")
        self._pending: tuple[int, int | None, str] | None = None
        self.lost = False
        """True once another attempt took the job over: this one should stop reporting."""

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self._pending = (done, total, message)
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            self.flush()

    def flush(self) -> None:
        if self._pending is None or self.lost:
            return
        done, total, message = self._pending
        self._pending = None
        self.lost = not self._write(done, total, message)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        log.info(
            "%s: %s/%s %s(%.1f/s)",
            self._label,
            done,
            "?" if total is None else total,
            f"{message} " if message else "",
            done / elapsed,
        )
