"""The account, people and registrations pages' view models: what each person sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from klimatmatch.accounts import invitations, sessions, views
from klimatmatch.accounts import service as accounts
from klimatmatch.accounts.sessions import Client
from klimatmatch.core.errors import Forbidden
from klimatmatch.core.settings import Settings
from models import Role
from tests.klimatmatch.engagement_world import people


def test_the_account_view_lists_ones_own_sessions_and_keys(session: Session) -> None:
    who = people(session)
    sessions.start_session(
        session=session, user=who.malmo, client=Client("10.0.0.9"), lifetime=timedelta(hours=1)
    )
    accounts.create_api_key(session=session, user=who.malmo, name="export script")
    own = views.account_view(session=session, user=who.malmo)
    assert [s.user_id for s in own.sessions] == [who.malmo.id]
    assert sorted(k.name for k in own.keys) == ["export script", "token"]
    assert views.account_view(session=session, user=who.stockholm).sessions == []


def test_people_are_for_staff_and_name_the_invitation_just_sent(session: Session) -> None:
    who = people(session)
    for user in (who.stockholm, who.voltgrav):
        with pytest.raises(Forbidden):
            views.people_view(session=session, user=user)
    sent = invitations.invite(
        session=session,
        actor=who.coordinator,
        email="new@lund.example",
        role=Role.CITY,
        organisation="Lund",
        name="Ny",
        language="sv",
        settings=Settings(_env_file=None),
    )
    seen = views.people_view(session=session, user=who.coordinator, invited_id=str(sent.id))
    assert seen.invited == "new@lund.example" and [i.id for i in seen.pending] == [sent.id]
    assert seen.roles == invitations.INVITABLE[Role.COORDINATOR]
    assert {p.id for p in seen.people} >= {who.admin.id, who.malmo.id}
    assert views.people_view(session=session, user=who.admin, invited_id="0").invited == ""
    assert views.people_view(session=session, user=who.admin).roles == tuple(Role)


def test_registrations_wait_for_staff_with_contacts_and_profiles(session: Session) -> None:
    who = people(session)
    with pytest.raises(Forbidden):
        views.registrations_view(session=session, user=who.voltgrav)
    assert views.registrations_view(session=session, user=who.coordinator).waiting == []
    newcomer, _ = accounts.create_user(
        session=session,
        name="Eva",
        role=Role.COMPANY,
        organisation="Laddbolaget AB",
        email="eva@laddbolaget.example",
    )
    newcomer.organisation.approved = False
    session.flush()
    waiting = views.registrations_view(session=session, user=who.admin).waiting
    assert [(w.organisation.name, w.contacts, w.profiles) for w in waiting] == [
        ("Laddbolaget AB", ["eva@laddbolaget.example"], [])
    ]
