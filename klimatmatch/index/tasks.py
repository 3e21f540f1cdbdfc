"""The index's jobs: `reindex` fills the embedding cache (re-encoding skips what it holds) and
`snapshot` writes the index atomically, so processes start from it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from klimatmatch.jobs.progress import CountingEmbedder
from klimatmatch.jobs.registry import JobContext, register


@register("reindex", unit="texts")
def reindex_job(context: JobContext) -> str:
    """Fill the embedding cache for every text with the configured model (after a model
    change), so every process starts from cached vectors instead of encoding at start-up."""
    from klimatmatch.index import indexing
    from klimatmatch.index.embedding import build_embedder, build_engine

    with context.sessions() as session:
        total = _texts(session)
        session.commit()
        context.progress(0, total, "loading the model")
        model = build_embedder(context.settings)
        if model.cacheable:  # a corpus-fitted model (TF-IDF) is not encoded ahead: no count
            model = CountingEmbedder(model, context.progress, total)
        engine = build_engine(context.settings, model)
        report = indexing.rebuild(session=session, engine=engine, show_progress=False)
        session.commit()
    context.progress(report.challenges + report.companies, report.challenges + report.companies)
    return (
        f"{report.challenges} challenges and {report.companies} companies: "
        f"{report.encoded} texts encoded, {report.reused} from the cache"
    )


def _texts(session: Session) -> int:
    """What a rebuild indexes: every profile and every challenge not archived."""
    from sqlalchemy import func, select

    from models import Challenge, ChallengeStatus, CompanyProfile

    challenges = select(func.count()).where(Challenge.status != ChallengeStatus.ARCHIVED)
    companies = select(func.count()).select_from(CompanyProfile)
    return (session.scalar(challenges) or 0) + (session.scalar(companies) or 0)


@register("snapshot", unit="steps")
def snapshot_job(context: JobContext) -> str:
    """Persist the index so processes start from it instead of rebuilding from rows."""
    from klimatmatch.index.registry import backend_for

    return backend_for(context.settings).snapshot(context.progress)
