"""Top-k company ids per challenge, kept for one data version of one engine configuration.

The review queue shows, for every listed challenge, how much of its current top-k is
undecided. Ranking 25 challenges afresh costs ~0.5 s at 100k profiles; between writes nothing
can change the answer, so it is computed once per (data version, engine) and read after.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TopKCache:
    """Thread-safe LRU; every entry belongs to one `generation` (data version and engine), and
    a new generation drops the old entries at once instead of waiting for them to age out."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, list[int]] = OrderedDict()
        self._generation: Hashable = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(
        self, generation: Hashable, key: Hashable, compute: Callable[[], list[int]]
    ) -> list[int]:
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return list(found)
        value = compute()  # outside the lock: ranking takes the engine's own lock
        with self._lock:
            self.misses += 1
            if generation == self._generation:
                self._entries[key] = list(value)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
