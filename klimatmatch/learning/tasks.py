"""The learning job: `train` stores a new re-ranker version (never overwrites one), so a
retry is harmless."""

from __future__ import annotations

from klimatmatch.jobs.registry import JobContext, register


@register("train", unit="steps")
def train_job(context: JobContext) -> str:
    """A new re-ranker version from the coordinators' decisions; the service uses it from its
    next start."""
    from klimatmatch.index import snapshots
    from klimatmatch.index.embedding import build_engine
    from klimatmatch.learning import service as learning

    with context.sessions() as session:
        context.progress(0, 2, "indexing")
        engine = build_engine(context.settings)
        # the newest snapshot plus the change log when there is one: seconds, not minutes
        snapshots.start(settings=context.settings, session=session, engine=engine)
        session.commit()
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
    from klimatmatch.index import snapshots
    from klimatmatch.index.embedding import build_engine
    from klimatmatch.learning import strength

    with context.sessions() as session:
        context.progress(0, 2, "indexing")
        engine = build_engine(context.settings)
        snapshots.start(settings=context.settings, session=session, engine=engine)
        session.commit()
        context.progress(1, 2, "fitting")
        report = strength.refit(
            session=session, engine=engine, min_decisions=context.settings.min_reviews
        )
    context.progress(2, 2)
    return f"match strength: {', '.join(report.refitted)} refitted on {report.decisions} decisions"
