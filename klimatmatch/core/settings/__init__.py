"""The one settings object: every knob comes from here, read from `KLIMATMATCH_*` variables.

`Settings` is one pydantic-settings class assembled from a mixin per topic (a module each
here), so the variables keep one prefix and one validation pass, and a reader finds the
database, the model, the index, jobs, the server, sign-in, mail and privacy knobs apart."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from klimatmatch.core.settings.accessibility import AccessibilitySettings
from klimatmatch.core.settings.database import PROJECT_DATA, DatabaseSettings
from klimatmatch.core.settings.index import IndexSettings
from klimatmatch.core.settings.jobs import JobSettings
from klimatmatch.core.settings.mail import MailSettings, SmtpTls
from klimatmatch.core.settings.model import (
    PACKAGED_E5,
    PACKAGED_E5_SHA256,
    PACKAGED_MODEL,
    PACKAGED_MODEL_SHA256,
    PINNED,
    EmbedderKind,
    ModelSettings,
)
from klimatmatch.core.settings.ocds import OcdsSettings
from klimatmatch.core.settings.privacy import PrivacySettings
from klimatmatch.core.settings.ranking import RankingSettings
from klimatmatch.core.settings.security import SecuritySettings
from klimatmatch.core.settings.server import ServerSettings

__all__ = [
    "PACKAGED_E5",
    "PACKAGED_E5_SHA256",
    "PACKAGED_MODEL",
    "PACKAGED_MODEL_SHA256",
    "PINNED",
    "PROJECT_DATA",
    "EmbedderKind",
    "Settings",
    "SmtpTls",
    "get_settings",
]


class Settings(
    OcdsSettings,
    PrivacySettings,
    AccessibilitySettings,
    MailSettings,
    SecuritySettings,
    ServerSettings,
    JobSettings,
    IndexSettings,
    RankingSettings,
    ModelSettings,
    DatabaseSettings,
    BaseSettings,
):
    """Validated at start-up so an unsafe or impossible value stops the service before it serves."""

    model_config = SettingsConfigDict(env_prefix="KLIMATMATCH_", extra="ignore")


@lru_cache
def get_settings() -> Settings:
    return Settings()
