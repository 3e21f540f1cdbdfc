from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from klimatmatch.engagement import stages, teams, workshop
from klimatmatch.engagement.schemas import AnswerCreate, InvitationCreate, StageMove, TeamCreate
from klimatmatch.index import indexing
from matcher import Embedder, MatchEngine
from models.engagement import Answer, TeamStatus
from models.tables import ChallengeStage
from tests.klimatmatch.engagement_world import People, challenge, company, people

YES = AnswerCreate(answer=Answer.ACCEPTED)
NO = AnswerCreate(answer=Answer.DECLINED, reason="We are fully booked in March.")


def shortlisting(session: Session, embedder: Embedder) -> People:
    who = people(session)
    engine = MatchEngine(embedder)
    indexing.rebuild(session=session, engine=engine)
    stages.move_stage(
        session=session,
        engine=engine,
        user=who.stockholm,
        challenge_id=challenge(session).id,
        data=StageMove(stage=ChallengeStage.SHORTLISTING),
    )
    return who


def test_a_coordinator_invites_and_each_company_answers_for_itself(
    session: Session, tfidf: Embedder
) -> None:
    who = shortlisting(session, tfidf)
    target = challenge(session)
    volt, site = company(session, "CO-001"), company(session, "CO-002")
    rows = workshop.invite(
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=InvitationCreate(company_ids=[volt.id, site.id], note="Strong on site charging"),
    )
    assert [(r.company_id, r.answer, r.invited_by_id) for r in rows] == [
        (volt.id, Answer.PENDING, who.coordinator.id),
        (site.id, Answer.PENDING, who.coordinator.id),
    ]
    for user in (who.stockholm, who.coordinator):  # they see it, but do not answer for it
        with pytest.raises(Forbidden, match=f"only company {volt.id}"):
            workshop.answer(session=session, user=user, invitation_id=rows[0].id, data=YES)
    for user in (who.malmo, who.sitecharge):  # nor does another company: it sees nothing of it
        with pytest.raises(NotFound):
            workshop.answer(session=session, user=user, invitation_id=rows[0].id, data=YES)
    workshop.answer(session=session, user=who.voltgrav, invitation_id=rows[0].id, data=YES)
    workshop.answer(session=session, user=who.sitecharge, invitation_id=rows[1].id, data=NO)
    city = workshop.for_challenge(session=session, user=who.stockholm, challenge_id=target.id)
    assert [(i.company_id, i.answer, i.reason, i.note) for i in city] == [
        (volt.id, Answer.ACCEPTED, "", ""),
        (site.id, Answer.DECLINED, "We are fully booked in March.", ""),
    ]
    staff = workshop.for_challenge(session=session, user=who.coordinator, challenge_id=target.id)
    assert staff[0].note == "Strong on site charging"
    assert staff[0].answered_by_id == who.voltgrav.id and staff[0].answered_at is not None
    own = workshop.for_company(session=session, user=who.voltgrav, company_id=volt.id)
    assert [i.id for i in own] == [rows[0].id] and own[0].note == ""
    with pytest.raises(Forbidden):
        workshop.for_company(session=session, user=who.voltgrav, company_id=site.id)


def test_invitations_are_refused_to_non_coordinators_twice_or_too_early(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    target, volt = challenge(session), company(session, "CO-001")
    invite = InvitationCreate(company_ids=[volt.id])
    with pytest.raises(Conflict, match="is open; companies are invited only while it is "):
        workshop.invite(session=session, user=who.coordinator, challenge_id=target.id, data=invite)
    who = shortlisting_again(session, tfidf, who)
    with pytest.raises(Forbidden, match="only coordinators"):
        workshop.invite(session=session, user=who.stockholm, challenge_id=target.id, data=invite)
    for user in (who.malmo, who.voltgrav):
        with pytest.raises(NotFound):
            workshop.invite(session=session, user=user, challenge_id=target.id, data=invite)
    with pytest.raises(InvalidInput, match="company_ids.1: company 999999 does not exist"):
        workshop.invite(
            session=session,
            user=who.coordinator,
            challenge_id=target.id,
            data=InvitationCreate(company_ids=[volt.id, 999999]),
        )
    workshop.invite(session=session, user=who.coordinator, challenge_id=target.id, data=invite)
    with pytest.raises(Conflict, match=f"company_ids: company {volt.id} is already invited"):
        workshop.invite(session=session, user=who.admin, challenge_id=target.id, data=invite)
    with pytest.raises(ValidationError, match="reason is required to decline"):
        AnswerCreate(answer=Answer.DECLINED)
    with pytest.raises(ValidationError, match="listed twice"):
        InvitationCreate(company_ids=[volt.id, volt.id])


def shortlisting_again(session: Session, embedder: Embedder, who: People) -> People:
    engine = MatchEngine(embedder)
    indexing.rebuild(session=session, engine=engine)
    stages.move_stage(
        session=session,
        engine=engine,
        user=who.coordinator,
        challenge_id=challenge(session).id,
        data=StageMove(stage=ChallengeStage.SHORTLISTING),
    )
    return who


def test_a_team_is_formed_when_every_member_confirms(session: Session, tfidf: Embedder) -> None:
    who = shortlisting(session, tfidf)
    target = challenge(session)
    volt, site = company(session, "CO-001"), company(session, "CO-002")
    team = teams.propose(
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=TeamCreate(company_ids=[site.id, volt.id], note="Site leads"),
    )
    assert team.status is TeamStatus.PROPOSED
    assert [(m.company_id, m.position) for m in team.members] == [(site.id, 0), (volt.id, 1)]
    assert teams.for_challenge(session=session, user=who.stockholm, challenge_id=target.id) == []
    with pytest.raises(Conflict, match="already has these members"):
        teams.propose(
            session=session,
            user=who.coordinator,
            challenge_id=target.id,
            data=TeamCreate(company_ids=[volt.id, site.id]),
        )
    with pytest.raises(Forbidden, match=f"only company {volt.id}"):
        teams.answer(
            session=session, user=who.sitecharge, team_id=team.id, company_id=volt.id, data=YES
        )
    with pytest.raises(NotFound):  # the city sees a team only once it is formed
        teams.answer(
            session=session, user=who.stockholm, team_id=team.id, company_id=volt.id, data=YES
        )
    teams.answer(session=session, user=who.voltgrav, team_id=team.id, company_id=volt.id, data=YES)
    assert team.status is TeamStatus.PROPOSED and team.settled_at is None
    teams.answer(
        session=session, user=who.sitecharge, team_id=team.id, company_id=site.id, data=YES
    )
    assert team.status is TeamStatus.FORMED and team.settled_at is not None
    city = teams.for_challenge(session=session, user=who.stockholm, challenge_id=target.id)
    assert [(t.id, t.note, [m.lead for m in t.members]) for t in city] == [
        (team.id, "", [True, False])
    ]
    assert teams.for_challenge(session=session, user=who.coordinator, challenge_id=target.id)[
        0
    ].note
    with pytest.raises(Conflict, match="already formed"):
        teams.answer(
            session=session, user=who.voltgrav, team_id=team.id, company_id=volt.id, data=NO
        )
    assert [
        t.id for t in teams.for_company(session=session, user=who.voltgrav, company_id=volt.id)
    ] == [team.id]


def test_one_decline_declines_the_team(session: Session, tfidf: Embedder) -> None:
    who = shortlisting(session, tfidf)
    target = challenge(session)
    volt, site = company(session, "CO-001"), company(session, "CO-002")
    team = teams.propose(
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=TeamCreate(company_ids=[volt.id, site.id]),
    )
    teams.answer(session=session, user=who.voltgrav, team_id=team.id, company_id=volt.id, data=NO)
    assert team.status is TeamStatus.DECLINED
    assert team.members[0].reason == "We are fully booked in March."
    again = teams.propose(  # a declined team may be proposed anew
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=TeamCreate(company_ids=[volt.id, site.id]),
    )
    assert again.id != team.id
    with pytest.raises(Forbidden):
        teams.propose(
            session=session,
            user=who.stockholm,
            challenge_id=target.id,
            data=TeamCreate(company_ids=[volt.id, site.id]),
        )
    with pytest.raises(ValidationError, match="at least 2"):
        TeamCreate(company_ids=[volt.id])
