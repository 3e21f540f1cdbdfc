"""What the service builds once at start-up and hands to every request."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.settings import Settings
from klimatmatch.index.backend import IndexFollower
from klimatmatch.index.snapshots import StartReport
from klimatmatch.matching.topk_cache import TopKCache
from matcher import MatchEngine


@dataclass
class AppState:
    settings: Settings
    db: Engine
    sessions: sessionmaker[Session]
    engine: MatchEngine
    follower: IndexFollower
    """Keeps `engine` in step with the writes of every process."""
    start: StartReport | None = None
    """How the index was filled at start-up (a snapshot or a rebuild), for /health."""
    index_lock: threading.Lock = field(default_factory=threading.Lock)
    top_k: TopKCache = field(default_factory=TopKCache)
    """The review queue's top-k per challenge, valid for one data version."""
