"""The preview of an unsaved challenge ranks as the published challenge will: the same
companies in the same order, with the same strengths."""

from __future__ import annotations

from sqlalchemy.orm import Session

from klimatmatch.catalogue import drafting
from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue.schemas import ChallengeCreate
from klimatmatch.index import indexing
from matcher import Embedder, MatchEngine
from tests.klimatmatch.engagement_world import people

TITLE = "Laddning för tunga transporter i hamnen"
DESCRIPTION = (
    "Staden söker megawattladdning för ellastbilar vid hamnens terminaler, med lastbalansering "
    "mot ett svagt elnät och drift dygnet runt."
)


def test_the_preview_ranks_as_the_published_shortlist(session: Session, tfidf: Embedder) -> None:
    who = people(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    seen = drafting.preview_challenge(
        session=session,
        engine=engine,
        title=TITLE,
        description=DESCRIPTION,
        language="",
        codes=[],
        k=5,
    )
    saved = catalogue.create_challenge(
        session=session,
        engine=engine,
        user=who.stockholm,
        data=ChallengeCreate(
            title=TITLE,
            description=DESCRIPTION,
            cpv_codes=seen.suggested_codes,  # the form fills them in from the preview
        ),
    )
    shortlist = engine.shortlist(saved.id, 5, explain=False)
    assert [c.company.id for c in seen.candidates] == [m.document.id for m in shortlist]
    assert [c.strength for c in seen.candidates] == [m.strength for m in shortlist]
    assert all(c.strength is not None for c in seen.candidates)
