"""The learning jobs: `train` stores a new re-ranker version and `strength` a new refit of
the match strength (neither overwrites one), so a retry is harmless."""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimatmatch.jobs.registry import JobContext, register

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from matcher import MatchEngine


def _indexed_engine(context: JobContext, session: Session) -> MatchEngine:
    """The service's engine, filled from the newest snapshot plus the change log when there is
    one: seconds, not minutes."""
    from klimatmatch.index import snapshots
    from klimatmatch.index.embedding import build_engine

    context.progress(0, 2, "indexing")
    engine = build_engine(context.settings)
    snapshots.start(settings=context.settings, session=session, engine=engine)
    session.commit()
    return engine


@register("train", unit="steps")
def train_job(context: JobContext) -> str:
    """A new re-ranker version from the coordinators' decisions; the service uses it from its
    next start."""
    from klimatmatch.learning import service as learning

    with context.sessions() as session:
        engine = _indexed_engine(context, session)
        context.progress(1, 2, "training")
        report = learning.train(
            session=session, engine=engine, min_reviews=context.settings.min_reviews
        )
    context.progress(2, 2)
    return f"re-ranker {report.version}: {report.examples} decisions, {report.positives} accepted"


@register("strength", unit="steps")
def strength_job(context: JobContext) -> str:
    """The match strength refitted on the coordinators' decisions; the service uses it from
    its next start."""
    from klimatmatch.learning import strength

    with context.sessions() as session:
        engine = _indexed_engine(context, session)
        context.progress(1, 2, "fitting")
        report = strength.refit(
            session=session, engine=engine, min_decisions=context.settings.min_reviews
        )
    context.progress(2, 2)
    return f"match strength: {', '.join(report.refitted)} refitted on {report.decisions} decisions"
