from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue.importing import import_file
from klimatmatch.core.settings import PACKAGED_MODEL, Settings
from klimatmatch.index import indexing, replication
from klimatmatch.index.embedding import english_embedder
from klimatmatch.matching import service as matching
from matcher import Embedder, Filters, MatchEngine
from models import ChallengeStatus, Change, crud
from tests.conftest import SAMPLE


def load_sample(session: Session) -> None:
    for name in ("challenges.csv", "companies.csv"):
        import_file(session=session, path=SAMPLE / name)


def test_cached_vectors_are_reused_and_one_edit_costs_one_encoding(
    session: Session, minilm: Embedder
) -> None:
    load_sample(session)
    engine = MatchEngine(minilm)
    first = indexing.rebuild(session=session, engine=engine)
    assert (first.challenges, first.companies, first.encoded) == (44, 155, 199)
    again = indexing.rebuild(session=session, engine=MatchEngine(minilm))
    assert (again.encoded, again.reused) == (0, 199)
    company = crud.list_companies(session=session)[0]
    company.description = "Electric excavators rented out with charging containers on site."
    session.flush()
    edited = indexing.rebuild(session=session, engine=MatchEngine(minilm))
    assert (edited.encoded, edited.reused) == (1, 198)


def test_shortlist_is_stored_as_a_reproducible_run(session: Session, tfidf: Embedder) -> None:
    load_sample(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    challenge = crud.challenge_by_external_id(session=session, external_id="OSL-01")
    assert challenge is not None
    run = matching.challenge_shortlist(
        session=session,
        engine=engine,
        challenge_id=challenge.id,
        k=5,
        filters=Filters.build(countries=["NO"]),
    )
    assert len(run.results) == 5 and run.model == engine.fingerprint
    assert run.parameters["k"] == 5 and run.parameters["filters"] == {"countries": ["no"]}
    scores = [r.score for r in run.results]
    assert scores == sorted(scores, reverse=True)
    names = {
        crud.get_company(session=session, company_id=r.company_id).country for r in run.results
    }
    assert names == {"NO"}
    top = crud.get_company(session=session, company_id=run.results[0].company_id)
    assert top is not None and top.external_id == "CO-005"
    assert run.results[0].explanation["shared_terms"]


def test_opportunities_skip_drafts_and_archived(session: Session, tfidf: Embedder) -> None:
    load_sample(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    company = crud.company_by_external_id(session=session, external_id="CO-039")
    assert company is not None
    run = matching.company_opportunities(
        session=session, engine=engine, company_id=company.id, k=50
    )
    statuses = {
        crud.get_challenge(session=session, challenge_id=r.challenge_id).status for r in run.results
    }
    assert statuses == {ChallengeStatus.PUBLISHED}
    draft = crud.challenge_by_external_id(session=session, external_id="STH-05")
    assert draft is not None and draft.status is ChallengeStatus.DRAFT
    assert engine.opportunities(company.id, 1)[0].document.id == draft.id
    assert draft.id not in {r.challenge_id for r in run.results}


def test_upsert_makes_a_new_company_visible_at_once(session: Session, tfidf: Embedder) -> None:
    load_sample(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    company = crud.list_companies(session=session)[0]
    challenge = crud.challenge_by_external_id(session=session, external_id="REY-01")
    assert challenge is not None
    assert company.id not in [m.document.id for m in engine.shortlist(challenge.id, 10)]
    company.description = (
        "Geothermal district heating for new neighbourhoods: low-temperature "
        "distribution networks, heat meters and digital twins."
    )
    session.flush()
    indexing.upsert_company(session=session, engine=engine, company=company)
    assert engine.shortlist(challenge.id, 1)[0].document.id == company.id


def test_an_english_second_opinion_is_cached_and_judges_english_pairs_only(
    session: Session, e5: Embedder
) -> None:
    """Both models' vectors go through the embedding cache (two per text), and the English
    model re-scores only English pairs: a Swedish challenge ranks as with e5 alone."""
    load_sample(session)
    minilm = english_embedder(Settings(_env_file=None, english_model=PACKAGED_MODEL))
    assert minilm is not None and minilm.languages == frozenset({"en"})
    engine = MatchEngine({"dense": e5, "dense_en": minilm})
    assert engine.secondary == frozenset({"dense_en"})
    first = indexing.rebuild(session=session, engine=engine)
    assert (first.encoded, first.reused) == (2 * 199, 0)
    again = indexing.rebuild(session=session, engine=engine)
    assert (again.encoded, again.reused) == (0, 2 * 199)
    alone = MatchEngine({"dense": e5})
    indexing.rebuild(session=session, engine=alone)
    swedish = crud.challenge_by_external_id(session=session, external_id="STH-01")
    english = crud.challenge_by_external_id(session=session, external_id="LON-01")

    def ids(e: MatchEngine, challenge_id: int) -> list[int]:
        return [m.document.id for m in e.shortlist(challenge_id, 10, explain=False)]

    assert ids(engine, swedish.id) == ids(alone, swedish.id)
    with_english = [m.score for m in engine.shortlist(english.id, 10, explain=False)]
    assert with_english != [m.score for m in alone.shortlist(english.id, 10, explain=False)]


def test_the_change_log_replays_writes_and_prunes_what_every_index_has(
    session: Session, tfidf: Embedder
) -> None:
    """A second engine built before a write catches up from the log alone; old changes that
    it has applied can go, newer ones stay."""
    load_sample(session)
    stale = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=stale)
    before = replication.current_version(session=session)
    company = crud.list_companies(session=session)[0]
    company.description = "Vätgastankstationer för sopbilar i kallt klimat."
    session.flush()
    assert replication.current_version(session=session) == before + 1
    assert (
        replication.apply_changes(session=session, engine=stale, after=before, upto=before + 1) == 1
    )
    assert "Vätgas" in stale.companies.document(company.id).text
    assert replication.prune(session=session, older_than=timedelta(0), keep_after=before) > 0
    remaining = session.scalars(select(Change.version)).all()
    assert remaining and min(remaining) > before  # what was not applied everywhere stays
