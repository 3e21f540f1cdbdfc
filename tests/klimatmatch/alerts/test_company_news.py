"""Companies hear of what concerns them: an invitation, a team they are proposed for, a move
of a challenge they take part in; each once, in their inbox and in their own language, and a
company nobody can hear at is named to the coordinator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.alerts import mail as alert_mail
from klimatmatch.core.settings import Settings
from klimatmatch.engagement import stages, teams, workshop
from klimatmatch.engagement.schemas import InvitationCreate, StageMove, TeamCreate
from matcher import Embedder
from models import CompanyProfile, Role, User
from models.alerts import Notification, NotificationKind
from models.tables import ChallengeStage
from tests.klimatmatch.engagement.test_workshop_teams import shortlisting
from tests.klimatmatch.engagement_world import challenge, company


def inbox(session: Session, user: User) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(session.scalars(query))


def speaker(session: Session, of: CompanyProfile, name: str, language: str) -> User:
    user = User(
        name=name,
        role=Role.COMPANY,
        organisation_id=of.organisation_id,
        email=f"{name}@example.org",
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def test_invitations_teams_and_stage_moves_reach_the_companies(
    session: Session, tfidf: Embedder
) -> None:
    who = shortlisting(session, tfidf)
    target = challenge(session)
    volt, site = company(session, "CO-001"), company(session, "CO-002")
    lena = speaker(session, volt, "lena", "sv")
    invited = workshop.invite(
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=InvitationCreate(company_ids=[volt.id, site.id]),
    )
    team = teams.propose(
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=TeamCreate(company_ids=[volt.id, site.id]),
    )
    stages.move_stage(
        session=session,
        engine=None,  # type: ignore[arg-type]  # only publishing a draft needs the engine
        user=who.stockholm,
        challenge_id=target.id,
        data=StageMove(
            stage=ChallengeStage.WORKSHOP,
            workshop_at="2031-03-01T09:00:00+01:00",
            workshop_place="Stadshuset",
        ),
    )
    for user in (lena, who.voltgrav):
        kinds = [(n.kind, n.challenge_id, n.company_id) for n in inbox(session, user)]
        assert kinds == [
            (NotificationKind.INVITATION, target.id, volt.id),
            (NotificationKind.TEAM, target.id, volt.id),
            (NotificationKind.STAGE, target.id, volt.id),
        ]
    team_item = inbox(session, lena)[1]
    assert team_item.body == site.name  # the other members
    assert {n.company_id for n in inbox(session, who.sitecharge)} == {site.id}
    assert inbox(session, who.stockholm) == []  # the city hears of answers, not of invites
    # the e-mail is in the person's language and links to the company's page of the challenge
    settings = Settings(_env_file=None, public_url="https://klimatmatch.example")
    message = alert_mail.compose(
        user=lena, rows=inbox(session, lena), token="t" * 40, settings=settings
    )
    text = message.body
    assert f"https://klimatmatch.example/ui/challenges/{target.id}" in text
    assert "inbjud" in text and "Ni föreslås" in text  # Swedish, as the person chose
    assert invited[0].id is not None and team.id is not None


def test_a_company_without_people_is_named_to_the_coordinator(
    session: Session, tfidf: Embedder
) -> None:
    who = shortlisting(session, tfidf)
    target = challenge(session)
    nobody = next(
        c
        for c in session.scalars(select(CompanyProfile).order_by(CompanyProfile.id))
        if c.organisation_id not in {who.voltgrav.organisation_id, who.sitecharge.organisation_id}
    )
    volt = company(session, "CO-001")
    workshop.invite(
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=InvitationCreate(company_ids=[volt.id, nobody.id]),
    )
    rows = workshop.for_challenge(session=session, user=who.coordinator, challenge_id=target.id)
    assert {(r.company_id, r.reachable) for r in rows} == {(volt.id, True), (nobody.id, False)}
    teams.propose(
        session=session,
        user=who.coordinator,
        challenge_id=target.id,
        data=TeamCreate(company_ids=[volt.id, nobody.id]),
    )
    [team] = teams.for_challenge(session=session, user=who.coordinator, challenge_id=target.id)
    assert [(m.company_id, m.reachable) for m in team.members] == [
        (volt.id, True),
        (nobody.id, False),
    ]
