"""What reaches people's inboxes: the SMTP server, and the alerts about new challenges."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class SmtpTls(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


class MailSettings(BaseModel):
    """Without `smtp_host` every message is written to `outbox_dir` instead of sent."""

    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail; None writes each message to outbox_dir"
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: SmtpTls = SmtpTls.STARTTLS
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=20, gt=0, le=300)
    mail_from: str = Field(default="Klimatmatch <no-reply@klimatmatch.local>", min_length=3)
    outbox_dir: Path = Field(
        default=Path("var/outbox"),
        description="Where messages go as .eml files when no SMTP server is configured",
    )
    # alerts (issue 14)
    alert_top_k: int = Field(
        default=10,
        ge=1,
        le=200,
        description="A newly published challenge alerts the companies whose profiles the "
        "engine ranks in its top this many",
    )
    alert_min_score: float = Field(
        default=0.0,
        ge=0.0,
        description="...and only those scoring at least this (the shortlist's fused score)",
    )
    alert_min_strength: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="...and only matches at least this strong (the calibrated probability "
        "that the pair fits; 0.2 is 'possible', 0.5 'strong'): a weak match alerts nobody",
    )
    alerts_from_api: bool = Field(
        default=True,
        description="The API queues the alert job right after a write that needs one; off "
        "leaves it to `klimatmatch jobs submit alerts` (e.g. from cron every minute)",
    )
