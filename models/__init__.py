"""The data model: tables, sessions, migrations and the queries over them."""

from models import alerts, engagement, ocds, versioning  # noqa: F401 - tables after matching; version bump
from models.accounts import (
    ApiKey,
    Invitation,
    PasswordReset,
    SignInFailure,
    SignInSession,
    TermsAcceptance,
)
from models.db import create_db_engine, session_factory
from models.jobs import Job, JobState
from models.matching import MatchResult, MatchRun, RerankerModel, Review, RunReason, StrengthFit
from models.tables import (
    Base,
    Challenge,
    ChallengeStatus,
    Change,
    CompanyProfile,
    Decision,
    Direction,
    EmbeddingCache,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

__all__ = [
    "ApiKey",
    "Base",
    "Challenge",
    "ChallengeStatus",
    "Change",
    "CompanyProfile",
    "Decision",
    "Direction",
    "EmbeddingCache",
    "Invitation",
    "Job",
    "JobState",
    "MatchResult",
    "MatchRun",
    "Organisation",
    "OrganisationKind",
    "PasswordReset",
    "RerankerModel",
    "StrengthFit",
    "Review",
    "RunReason",
    "Role",
    "SignInFailure",
    "SignInSession",
    "TermsAcceptance",
    "User",
    "create_db_engine",
    "session_factory",
]
