from __future__ import annotations

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import (
    Base,
    Challenge,
    ChallengeStatus,
    CompanyProfile,
    Decision,
    Direction,
    MatchResult,
    MatchRun,
    OrganisationKind,
    Review,
    crud,
)
from models.migrate import current_revision, head_revision


def test_migrations_reach_head_and_match_the_tables(db_engine: Engine) -> None:
    assert current_revision(db_engine) == head_revision()
    with db_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def make_pair(session: Session) -> tuple[Challenge, CompanyProfile]:
    city = crud.get_or_create_organisation(
        session=session, name="Malmö", kind=OrganisationKind.CITY, country="SE"
    )
    firm = crud.get_or_create_organisation(
        session=session, name="Voltgräv AB", kind=OrganisationKind.COMPANY, country="SE"
    )
    challenge = Challenge(
        organisation_id=city.id,
        title="Fossilfria byggarbetsplatser",
        description="Eldrivna arbetsmaskiner",
        cpv_codes=["45000000"],
    )
    company = CompanyProfile(
        organisation_id=firm.id,
        name="Voltgräv AB",
        country="SE",
        description="Batteridrivna grävmaskiner",
        cpv_codes=["43200000"],
    )
    session.add_all([challenge, company])
    session.flush()
    return challenge, company


def test_rows_round_trip_with_json_codes_and_defaults(session: Session) -> None:
    challenge, company = make_pair(session)
    session.expire_all()
    loaded = crud.get_challenge(session=session, challenge_id=challenge.id)
    assert loaded is not None
    assert loaded.cpv_codes == ["45000000"] and loaded.status is ChallengeStatus.PUBLISHED
    assert loaded.organisation.name == "Malmö"
    assert crud.counts(session=session) == {"challenges": 1, "companies": 1}
    assert (
        crud.get_or_create_organisation(
            session=session, name="Malmö", kind=OrganisationKind.CITY
        ).id
        == loaded.organisation_id
    )


def test_version_counter_refuses_a_stale_write(session: Session) -> None:
    challenge, _ = make_pair(session)
    assert challenge.version == 1
    challenge.title = "Utsläppsfria byggarbetsplatser"
    session.flush()
    assert challenge.version == 2
    session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(version=5)
        .execution_options(synchronize_session=False)
    )
    challenge.title = "A write based on version 2"
    with pytest.raises(StaleDataError):
        session.flush()


def test_external_ids_are_unique(session: Session) -> None:
    challenge, _ = make_pair(session)
    challenge.external_id = "X-1"
    session.flush()
    twin = Challenge(
        organisation_id=challenge.organisation_id,
        title="Twin",
        description="Twin text",
        external_id="X-1",
    )
    session.add(twin)
    with pytest.raises(IntegrityError):
        session.flush()


def test_embedding_cache_round_trips_float32(session: Session) -> None:
    vector = np.array([0.25, -0.5, 1.0], dtype=np.float32)
    crud.store_vectors(session=session, model="m", vectors={"abc": vector})
    session.flush()
    found = crud.cached_vectors(session=session, model="m", text_hashes=["abc", "missing"])
    assert list(found) == ["abc"] and np.array_equal(found["abc"], vector)
    assert crud.cached_vectors(session=session, model="other", text_hashes=["abc"]) == {}


def test_match_runs_results_and_review_history(session: Session) -> None:
    challenge, company = make_pair(session)
    run = MatchRun(
        direction=Direction.CHALLENGE_TO_COMPANIES,
        subject_id=challenge.id,
        model="m",
        parameters={"k": 1},
        data_version=crud.data_version(session=session),
    )
    run.results.append(
        MatchResult(
            rank=1,
            challenge_id=challenge.id,
            company_id=company.id,
            score=0.7,
            components={"dense": 0.7},
            explanation={},
        )
    )
    session.add(run)
    session.flush()
    for decision in (Decision.MAYBE, Decision.ACCEPTED):
        session.add(
            Review(
                challenge_id=challenge.id,
                company_id=company.id,
                reviewer="ann",
                decision=decision,
                match_result_id=run.results[0].id,
            )
        )
    session.flush()
    loaded = crud.get_match_run(session=session, run_id=run.id)
    assert loaded is not None and loaded.results[0].components == {"dense": 0.7}
    assert [r.decision for r in session.query(Review).order_by(Review.id)] == [
        Decision.MAYBE,
        Decision.ACCEPTED,
    ]


def test_data_version_changes_with_edits(session: Session) -> None:
    challenge, _ = make_pair(session)
    before = crud.data_version(session=session)
    challenge.description = "Nya krav på eldrivna maskiner"
    session.flush()
    assert crud.data_version(session=session) != before


def test_a_vector_stored_twice_is_kept_once_without_an_error(session: Session) -> None:
    """Two processes may encode the same new text at once; the second store is skipped."""
    vector = np.arange(4, dtype=np.float32)
    crud.store_vectors(session=session, model="m", vectors={"h1": vector})
    crud.store_vectors(session=session, model="m", vectors={"h1": vector, "h2": vector + 1})
    found = crud.cached_vectors(session=session, model="m", text_hashes=["h1", "h2", "h3"])
    assert sorted(found) == ["h1", "h2"] and np.array_equal(found["h2"], vector + 1)
