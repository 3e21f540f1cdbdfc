"""The edit forms open only on a person's own challenge or profile; only cities write."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue import views
from klimatmatch.core.errors import Forbidden, NotFound
from tests.klimatmatch.engagement_world import challenge, company, people


def test_a_form_opens_on_ones_own_challenge_and_is_404_for_anyone_else(session: Session) -> None:
    who = people(session)
    published, draft = challenge(session, "STH-01"), challenge(session, "STH-05")
    for user in (who.stockholm, who.admin):
        found = views.editable_challenge(session=session, user=user, challenge_id=draft.id)
        assert found is draft
    for user in (who.malmo, who.coordinator, who.voltgrav):  # may read it, may not edit it
        with pytest.raises(NotFound):
            views.editable_challenge(session=session, user=user, challenge_id=published.id)


def test_a_profile_form_opens_on_ones_own_profile_only(session: Session) -> None:
    who = people(session)
    voltgrav = company(session, "CO-001")
    for user in (who.voltgrav, who.admin):
        assert (
            views.editable_company(session=session, user=user, company_id=voltgrav.id) is voltgrav
        )
    for user in (who.sitecharge, who.coordinator, who.stockholm):
        with pytest.raises(NotFound):
            views.editable_company(session=session, user=user, company_id=voltgrav.id)


def test_only_a_city_account_with_its_city_writes_challenges(session: Session) -> None:
    who = people(session)
    catalogue.require_city(who.stockholm)
    for user in (who.voltgrav, who.coordinator, who.admin):
        with pytest.raises(Forbidden, match="only city accounts"):
            catalogue.require_city(user)
    who.malmo.organisation_id = None
    with pytest.raises(Forbidden):
        catalogue.require_city(who.malmo)
