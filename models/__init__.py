"""The data model: tables, sessions, migrations and the queries over them."""

from models import versioning  # noqa: F401 - registers the data-version bump
from models.db import create_db_engine, session_factory
from models.tables import (
    Base,
    Challenge,
    ChallengeStatus,
    Change,
    CompanyProfile,
    Decision,
    Direction,
    EmbeddingCache,
    Job,
    JobState,
    MatchResult,
    MatchRun,
    Organisation,
    OrganisationKind,
    RerankerModel,
    Review,
    Role,
    User,
)

__all__ = [
    "Base",
    "Challenge",
    "ChallengeStatus",
    "Change",
    "CompanyProfile",
    "Decision",
    "Direction",
    "EmbeddingCache",
    "Job",
    "JobState",
    "MatchResult",
    "MatchRun",
    "Organisation",
    "OrganisationKind",
    "RerankerModel",
    "Review",
    "Role",
    "User",
    "create_db_engine",
    "session_factory",
]
