"""A reviewed shortlist as a spreadsheet: a stored run, or the current ranking (stored by the
export, which is an act on it), with the current decisions."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core import access, spreadsheet_safety
from klimatmatch.core.errors import NotFound
from klimatmatch.matching import service as matching
from klimatmatch.matching.reviews import latest_decisions
from matcher import MatchEngine
from models import CompanyProfile, Direction, MatchRun, RunReason, User, crud


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def shortlist_frame(
    *,
    session: Session,
    user: User,
    challenge_id: int,
    run_id: int | None = None,
    engine: MatchEngine | None = None,
    k: int = 10,
) -> pd.DataFrame:
    """One row per ranked company of the chosen run, else of the current top `k` (with an
    engine), else of the latest stored run."""
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None or not access.can_see_shortlist(user, challenge):
        raise NotFound(f"challenge {challenge_id} does not exist")
    if run_id is None and engine is not None:
        run = matching.keep(
            session=session,
            run=matching.challenge_shortlist(
                session=session, engine=engine, challenge_id=challenge_id, k=k, user=user
            ),
            reason=RunReason.EXPORTED,
        )
        session.commit()
    else:
        run = _stored(session, challenge_id, run_id)
    companies = {
        c.id: c
        for c in session.scalars(
            select(CompanyProfile).where(CompanyProfile.id.in_([r.company_id for r in run.results]))
        )
    }
    decisions = latest_decisions(session=session, challenge_ids=[challenge_id])
    notes = access.can_see_review_notes(user)
    rows = []
    for result in run.results:
        company = companies.get(result.company_id)
        review = decisions.get((challenge_id, result.company_id))
        rows.append(
            {
                "run_id": run.id,
                "challenge": challenge.title,
                "rank": result.rank,
                "company_id": result.company_id,
                "company": company.name if company else "(deleted)",
                "country": company.country if company else "",
                "strength": None if result.strength is None else round(result.strength, 3),
                "score": round(result.score, 4),
                **{f"score_{name}": value for name, value in result.components.items()},
                "shared_terms": ", ".join(result.explanation.get("shared_terms", [])),
                "decision": review.decision.value if review else "",
                "reason": review.reason if review and notes else "",
                "note": review.note if review and notes else "",
                "reviewer": review.reviewer if review and notes else "",
            }
        )
    return pd.DataFrame(rows)


def _stored(session: Session, challenge_id: int, run_id: int | None) -> MatchRun:
    query = select(MatchRun).where(
        MatchRun.direction == Direction.CHALLENGE_TO_COMPANIES, MatchRun.subject_id == challenge_id
    )
    if run_id is not None:
        query = query.where(MatchRun.id == run_id)
    run = session.scalar(query.order_by(MatchRun.id.desc()).limit(1))
    if run is None:
        raise NotFound(f"challenge {challenge_id} has no stored shortlist to export")
    return run


def render(frame: pd.DataFrame, fmt: ExportFormat, sheet: str = "shortlist") -> bytes:
    """The file every export serves: written so that no cell can run as a formula."""
    if fmt is ExportFormat.CSV:
        return spreadsheet_safety.to_csv(frame)
    return spreadsheet_safety.to_xlsx(frame, sheet)
