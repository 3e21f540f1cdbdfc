"""Erasure: a person's account, on their own wish or on request through staff, and an
organisation's, by an administrator.

What others rely on stays, with its author anonymised: decisions (a review's decision, a
stage move), answers to invitations and teams, the invitations and teams themselves, and
interest a company stated. The person's own words are removed: a review's reason and note,
a pitch they last wrote, the notes of invitations and teams they made, the reasons of their
answers. Everything that is only about them goes: the account (so the e-mail address is free
and nobody can sign in with it), sessions, API keys, the inbox, e-mail preferences, terms
accepted, links sent to them, failed sign-ins under their address, their e-mails in the outbox
folder and their exports."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden, InvalidInput, NotFound
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import N_
from klimatmatch.index import indexing
from klimatmatch.privacy.export import EXPORT_KIND, export_path, outbox_files
from matcher import MatchEngine
from models import (
    Challenge,
    CompanyProfile,
    Invitation,
    Job,
    JobState,
    Organisation,
    Review,
    Role,
    SignInFailure,
    User,
)
from models.engagement import (
    ExpressionOfInterest,
    StageChange,
    Team,
    TeamMember,
    WorkshopInvitation,
)
from models.tables import utcnow

log = logging.getLogger("klimatmatch.privacy")
FORMER_USER = N_("a former user")
"""Stored in place of an erased author's name (reviews, stage moves); the pages translate it."""


def erase_person(*, session: Session, user: User, settings: Settings) -> None:
    """Erase `user` in the caller's transaction (files go at once: they hold only theirs)."""
    uid, email = user.id, user.email
    _anonymise(session, uid)
    for path in [*outbox_files(settings.outbox_dir, email), *_export_files(session, uid, settings)]:
        path.unlink(missing_ok=True)
    session.execute(delete(Job).where(Job.created_by_id == uid, Job.kind == EXPORT_KIND))
    _drop_unsent_mail(session, uid)
    if email:
        session.execute(delete(Invitation).where(Invitation.email == email))
        session.execute(delete(SignInFailure).where(SignInFailure.key == f"account:{email}"))
    session.execute(
        update(Organisation).where(Organisation.approved_by == uid).values(approved_by=None)
    )
    session.expunge(user)
    session.execute(delete(User).where(User.id == uid))  # the database cascades the rest
    log.info("person %s erased", uid)


def _anonymise(session: Session, uid: int) -> None:
    """Rows others rely on keep their decision; the author's name and own words go."""
    last_writer = func.coalesce(
        ExpressionOfInterest.updated_by_id, ExpressionOfInterest.created_by_id
    )
    for statement in (
        update(Review)
        .where(Review.reviewer_id == uid)
        .values(reviewer=FORMER_USER, reason="", note=""),
        update(StageChange).where(StageChange.changed_by_id == uid).values(changed_by=FORMER_USER),
        update(ExpressionOfInterest).where(last_writer == uid).values(pitch=""),
        update(WorkshopInvitation).where(WorkshopInvitation.invited_by_id == uid).values(note=""),
        update(WorkshopInvitation)
        .where(WorkshopInvitation.answered_by_id == uid)
        .values(reason=""),
        update(Team).where(Team.proposed_by_id == uid).values(note=""),
        update(TeamMember).where(TeamMember.answered_by_id == uid).values(reason=""),
    ):
        session.execute(statement.execution_options(synchronize_session=False))


def _drop_unsent_mail(session: Session, uid: int) -> None:
    """An e-mail still queued for them is not sent: SQLite may give their id to a new account."""
    queued = session.scalars(select(Job).where(Job.kind == "mail", Job.state == JobState.QUEUED))
    for job in [job for job in queued if job.arguments.get("user_id") == uid]:
        session.delete(job)


def _export_files(session: Session, uid: int, settings: Settings) -> list[Path]:
    jobs = session.scalars(
        select(Job.arguments).where(Job.created_by_id == uid, Job.kind == EXPORT_KIND)
    )
    return [path for arguments in jobs if (path := export_path(settings, arguments)) is not None]


def erase_on_request(*, session: Session, actor: User, user_id: int, settings: Settings) -> None:
    """Staff erase a person who asked them to; coordinators cannot erase administrators, and
    nobody erases themselves here (the account page asks for the password)."""
    if not access.is_staff(actor):
        raise Forbidden("only coordinators and administrators erase other people")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    if user.id == actor.id:
        raise InvalidInput("user: erase your own account on your account page")
    if user.role is Role.ADMIN and actor.role is not Role.ADMIN:
        raise Forbidden("only administrators erase administrators")
    erase_person(session=session, user=user, settings=settings)
    log.info("person %s erased on request, by person %s", user_id, actor.id)


def erase_organisation(
    *,
    session: Session,
    engine: MatchEngine,
    actor: User,
    organisation_id: int,
    settings: Settings,
) -> Organisation:
    """An administrator erases an organisation: its people are erased, its name replaced, its
    profiles emptied and taken out of matching; its challenges (a public body's
    publications, which others answered) stay, without their contact."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only administrators erase organisations")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    if actor.organisation_id == organisation.id:
        raise InvalidInput("organisation: you cannot erase your own organisation")
    people = session.scalars(select(User).where(User.organisation_id == organisation.id)).all()
    for person in people:
        erase_person(session=session, user=person, settings=settings)
    session.execute(delete(Invitation).where(Invitation.organisation_id == organisation.id))
    organisation.name = former_organisation(organisation.id)
    organisation.approved = False  # neither index backend holds its profiles any longer
    profiles = list(
        session.scalars(
            select(CompanyProfile).where(CompanyProfile.organisation_id == organisation.id)
        )
    )
    for profile in profiles:
        _empty(profile, organisation.name)
    for challenge in session.scalars(
        select(Challenge).where(
            Challenge.organisation_id == organisation.id, Challenge.contact != ""
        )
    ):
        challenge.contact = ""
    session.commit()
    indexing.apply_rows(session=session, engine=engine, challenges=[], companies=profiles)
    session.commit()
    log.info("organisation %s erased by person %s", organisation_id, actor.id)
    return organisation


def former_organisation(organisation_id: int) -> str:
    return f"Former organisation {organisation_id}"


def _empty(profile: CompanyProfile, name: str) -> None:
    profile.name, profile.description, profile.website = name, "", ""
    profile.references, profile.employees, profile.external_id = [], None, None
    profile.updated_at = utcnow()
