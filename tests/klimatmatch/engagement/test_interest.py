from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from klimatmatch.engagement import interest, stages
from klimatmatch.engagement.schemas import InterestCreate, StageMove
from klimatmatch.index import indexing
from klimatmatch.matching import service as matching
from matcher import Embedder, MatchEngine
from models import CompanyProfile, Organisation, OrganisationKind
from models.engagement import InterestStatus
from models.tables import ChallengeStage
from tests.klimatmatch.engagement_world import challenge, company, people

PITCH = InterestCreate(
    pitch="We convert diesel excavators to battery drive in three weeks.",
    partners=[{"company_id": None, "name": "Byggmaskiner i Norr AB"}],
)


def test_a_company_expresses_replaces_withdraws_and_expresses_again(session: Session) -> None:
    who = people(session)
    target, own = challenge(session), company(session, "CO-001")
    partner = company(session, "CO-002")
    row, created = interest.express(
        session=session,
        user=who.voltgrav,
        challenge_id=target.id,
        company_id=own.id,
        data=InterestCreate(pitch=PITCH.pitch, partners=[{"company_id": partner.id}]),
    )
    assert created and row.status is InterestStatus.ACTIVE and row.created_by_id == who.voltgrav.id
    assert row.partners == [{"company_id": partner.id, "name": "SiteCharge Nordic"}]
    again, created = interest.express(
        session=session, user=who.voltgrav, challenge_id=target.id, company_id=own.id, data=PITCH
    )
    assert (
        not created and again.id == row.id and again.partners[0]["name"] == "Byggmaskiner i Norr AB"
    )
    gone = interest.withdraw(
        session=session, user=who.voltgrav, challenge_id=target.id, company_id=own.id
    )
    assert gone.status is InterestStatus.WITHDRAWN and gone.withdrawn_by_id == who.voltgrav.id
    with pytest.raises(Conflict, match="already withdrew"):
        interest.withdraw(
            session=session, user=who.voltgrav, challenge_id=target.id, company_id=own.id
        )
    back, _ = interest.express(
        session=session, user=who.voltgrav, challenge_id=target.id, company_id=own.id, data=PITCH
    )
    assert back.status is InterestStatus.ACTIVE and back.withdrawn_at is None
    mine = interest.for_company(session=session, user=who.voltgrav, company_id=own.id)
    assert [(i.challenge_id, i.status) for i in mine] == [(target.id, InterestStatus.ACTIVE)]


def test_interest_is_refused_outside_the_open_stage_and_after_the_deadline(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    target, own = challenge(session), company(session, "CO-001")
    target.deadline = date.today() - timedelta(days=1)
    session.flush()
    ask = {
        "session": session,
        "user": who.voltgrav,
        "challenge_id": target.id,
        "company_id": own.id,
    }
    with pytest.raises(Conflict, match=f"deadline: interest in challenge {target.id} closed on"):
        interest.express(**ask, data=PITCH)
    target.deadline = date.today()
    session.flush()
    interest.express(**ask, data=PITCH)  # the deadline day itself still counts
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    stages.move_stage(
        session=session,
        engine=engine,
        user=who.stockholm,
        challenge_id=target.id,
        data=StageMove(stage=ChallengeStage.SHORTLISTING),
    )
    with pytest.raises(Conflict, match="is shortlisting; interest is taken only while it is open"):
        interest.express(**ask, data=PITCH)


def test_only_the_companys_own_people_speak_for_it(session: Session) -> None:
    who = people(session)
    target, own = challenge(session), company(session, "CO-001")
    for user in (who.sitecharge, who.stockholm, who.coordinator):
        with pytest.raises(Forbidden, match="belongs to another organisation"):
            interest.express(
                session=session, user=user, challenge_id=target.id, company_id=own.id, data=PITCH
            )
    with pytest.raises(NotFound):  # another city's draft does not exist for a company
        interest.express(
            session=session,
            user=who.voltgrav,
            challenge_id=challenge(session, "STH-05").id,
            company_id=own.id,
            data=PITCH,
        )
    with pytest.raises(Forbidden):
        interest.for_company(session=session, user=who.sitecharge, company_id=own.id)


def test_partners_must_exist_and_not_be_the_company_itself(session: Session) -> None:
    who = people(session)
    target, own = challenge(session), company(session, "CO-001")
    ask = {
        "session": session,
        "user": who.voltgrav,
        "challenge_id": target.id,
        "company_id": own.id,
    }
    with pytest.raises(InvalidInput, match="partners.1.company_id: company 999999 does not exist"):
        interest.express(
            **ask,
            data=InterestCreate(
                pitch=PITCH.pitch, partners=[{"name": "A"}, {"company_id": 999999}]
            ),
        )
    with pytest.raises(InvalidInput, match="partners.0.company_id: a company is not its own"):
        interest.express(
            **ask, data=InterestCreate(pitch=PITCH.pitch, partners=[{"company_id": own.id}])
        )
    with pytest.raises(ValidationError, match="company_id or its name"):
        InterestCreate(pitch=PITCH.pitch, partners=[{"name": "  "}])
    with pytest.raises(ValidationError, match="at most 2000 characters"):
        InterestCreate(pitch="x" * 2001)


def unapproved_profile(session: Session, name: str) -> CompanyProfile:
    """A registration no coordinator has approved (waiting, or declined: the rows stay)."""
    organisation = Organisation(name=name, kind=OrganisationKind.COMPANY, approved=False)
    session.add(organisation)
    session.flush()
    profile = CompanyProfile(
        organisation_id=organisation.id,
        name=name,
        description="Battery excavators and mobile charging containers for building sites.",
        country="SE",
    )
    session.add(profile)
    session.flush()
    return profile


def test_a_registration_not_approved_is_named_as_an_unknown_id_is(session: Session) -> None:
    """Issue 24, #7: naming a pending profile as a partner returned its name."""
    who = people(session)
    target, own = challenge(session), company(session, "CO-001")
    pending = unapproved_profile(session, "Hemlig Laddning AB")
    unknown = pending.id + 1000
    answers = []
    for user, company_id in [(who.voltgrav, own.id), (who.admin, own.id)]:
        for partner in (pending.id, unknown):
            with pytest.raises(InvalidInput) as caught:
                interest.express(
                    session=session,
                    user=user,
                    challenge_id=target.id,
                    company_id=company_id,
                    data=InterestCreate(pitch=PITCH.pitch, partners=[{"company_id": partner}]),
                )
            answers.append(caught.value.message.replace(str(partner), "<id>"))
    assert answers == ["partners.0.company_id: company <id> does not exist"] * 4
    assert "Hemlig" not in " ".join(answers)
    with pytest.raises(NotFound, match=f"company {pending.id} does not exist"):
        interest.express(  # nor may a company name it as the one it speaks for
            session=session,
            user=who.voltgrav,
            challenge_id=target.id,
            company_id=pending.id,
            data=PITCH,
        )


def test_the_city_sees_interest_beside_the_shortlist(session: Session, tfidf: Embedder) -> None:
    who = people(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    target = challenge(session)
    run = matching.challenge_shortlist(
        session=session, engine=engine, challenge_id=target.id, k=3, user=who.coordinator
    )
    session.commit()
    ranked = run.results[0].company_id
    outsider = next(
        c
        for c in (company(session, f"CO-{n:03d}") for n in range(1, 60))
        if c.id not in {r.company_id for r in run.results}
    )
    for company_id in (ranked, outsider.id):  # an administrator may speak for any company
        interest.express(
            session=session,
            user=who.admin,
            challenge_id=target.id,
            company_id=company_id,
            data=PITCH,
        )
    asked = []

    def ranking() -> dict[int, int]:
        asked.append(1)
        return {r.company_id: r.rank for r in run.results}

    seen = interest.for_challenge(
        session=session, user=who.stockholm, challenge_id=target.id, ranking=ranking
    )
    assert [(i.company_id, i.on_shortlist, i.rank) for i in seen] == [
        (ranked, True, 1),
        (outsider.id, False, None),
    ]
    for user in (who.malmo, who.sitecharge):
        with pytest.raises(NotFound):
            interest.for_challenge(
                session=session, user=user, challenge_id=target.id, ranking=ranking
            )
    assert len(asked) == 1  # the ranking is asked for only once the rows may be seen
