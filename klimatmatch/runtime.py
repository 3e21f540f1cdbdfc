"""A serving process's start: the database migrated, the configured index backend started,
and the newest re-ranker and match-strength refit attached. The API's lifespan calls `start`;
the index backends know nothing of learning (learning's `train` job builds on the index, not
the other way round)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from klimatmatch.core.settings import Settings
from klimatmatch.index.backend import Started
from klimatmatch.index.registry import backend_for
from klimatmatch.learning import service as learning
from klimatmatch.learning import strength as learned_strength
from matcher import Embedder

log = logging.getLogger("klimatmatch.runtime")


def start(settings: Settings, db: Engine, embedder: Embedder | None = None) -> Started:
    """The index of a serving process, filled, followed and re-ranked as last trained."""
    backend = backend_for(settings)
    backend.migrate(db)
    started = backend.start(db, embedder)
    with started.sessions() as session:
        reranker = learning.load_latest(session=session, engine=started.engine)
        refit = learned_strength.load_latest(session=session, engine=started.engine)
        session.commit()
    log.info("re-ranker: %s", reranker or "none yet (fused scores rank)")
    log.info("match strength: %s", f"refit {refit}" if refit else "as shipped")
    return started
