"""Who may do what: object-level rules in one place, used by every service.

A user who may not even see an object gets NotFound, so a refusal never tells whether a draft
or a private object exists; a user who may see it but not change it gets Forbidden.
"""

from __future__ import annotations

import dataclasses

from matcher import Filters
from models import Challenge, ChallengeStatus, CompanyProfile, Role, User


def is_staff(user: User) -> bool:
    """Coordinators review every shortlist; admins may do anything."""
    return user.role in (Role.COORDINATOR, Role.ADMIN)


def owns_challenge(user: User, challenge: Challenge) -> bool:
    return user.role is Role.CITY and user.organisation_id == challenge.organisation_id


def owns_company(user: User, company: CompanyProfile) -> bool:
    return user.role is Role.COMPANY and user.organisation_id == company.organisation_id


def can_read_challenge(user: User, challenge: Challenge) -> bool:
    return (
        challenge.status is ChallengeStatus.PUBLISHED
        or is_staff(user)
        or owns_challenge(user, challenge)
    )


def can_edit_challenge(user: User, challenge: Challenge) -> bool:
    return user.role is Role.ADMIN or owns_challenge(user, challenge)


def can_see_shortlist(user: User, challenge: Challenge) -> bool:
    return is_staff(user) or owns_challenge(user, challenge)


def can_read_company(user: User, company: CompanyProfile) -> bool:
    """Profiles of an organisation still awaiting approval are not published yet."""
    return company.approved or is_staff(user) or user.organisation_id == company.organisation_id


def can_name_as_partner(user: User, company: CompanyProfile) -> bool:
    """A partner is shown with the interest to the city and every coordinator: only a profile
    this person may read and that is published (approved) may be named; any other is, to the
    person naming it, a profile that does not exist."""
    return company.approved and can_read_company(user, company)


def can_edit_company(user: User, company: CompanyProfile) -> bool:
    return user.role is Role.ADMIN or owns_company(user, company)


def can_see_opportunities(user: User, company: CompanyProfile) -> bool:
    return is_staff(user) or owns_company(user, company)


def can_review(user: User) -> bool:
    return is_staff(user)


def can_see_review_notes(user: User) -> bool:
    """Reasons and notes are the coordinators' working material, not the city's or company's."""
    return is_staff(user)


def can_read_metrics(user: User) -> bool:
    """Operational figures (traffic, index size, model) are for the people who run the service."""
    return user.role is Role.ADMIN


def can_run_jobs(user: User) -> bool:
    """Imports, re-encoding and training change or load the whole service: staff work."""
    return is_staff(user)


def can_move_stage(user: User, challenge: Challenge) -> bool:
    """The city runs its own challenge; coordinators run the process with it."""
    return is_staff(user) or owns_challenge(user, challenge)


def can_see_engagement(user: User, challenge: Challenge) -> bool:
    """Interest, invitations and teams sit beside the shortlist: the same people see them."""
    return can_see_shortlist(user, challenge)


def can_act_for_company(user: User, company: CompanyProfile) -> bool:
    """Expressing interest and answering invitations speak for the company: its own people
    (and administrators, who may do anything), once a coordinator has approved it."""
    return company.approved and can_edit_company(user, company)


def can_organise_workshop(user: User) -> bool:
    """Workshop invitations and proposed teams are the coordinators' work."""
    return is_staff(user)


def published_only(filters: Filters | None = None) -> Filters:
    """What a company's list of challenges may hold, its page and its alerts alike: published
    challenges, within the caller's other filters."""
    statuses = frozenset({ChallengeStatus.PUBLISHED.value})
    return dataclasses.replace(filters or Filters(), statuses=statuses)
