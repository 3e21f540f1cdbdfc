"""A person's data: how long each kind is kept, the terms people accept, the controller named
on the privacy page, and when an export is produced by a job instead of inline."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class PrivacySettings(BaseModel):
    """Read by the `retention` job (which removes what is past its time), the privacy page
    (which states these periods) and the export."""

    retention_match_run_days: float = Field(
        default=365,
        gt=0,
        description="Match runs no review refers to, and not the newest of their shortlist, "
        "are removed this many days after they were stored",
    )
    retention_sign_in_failure_days: float = Field(
        default=30,
        gt=0,
        description="Failed sign-ins and registration counts (with the e-mail tried and the "
        "client address) are removed after this many days",
    )
    retention_session_days: float = Field(
        default=90,
        gt=0,
        description="Sign-in sessions (browser and address) are removed this many days after "
        "they expired or were ended",
    )
    retention_outbox_days: float = Field(
        default=30,
        gt=0,
        description="E-mails written to the outbox folder (no SMTP server) are removed after "
        "this many days",
    )
    retention_job_days: float = Field(
        default=90,
        gt=0,
        description="Finished jobs (their arguments, messages and errors) and the files they "
        "read are removed this many days after they ended",
    )
    retention_link_days: float = Field(
        default=90,
        gt=0,
        description="Invitations and password-reset links (with the e-mail they went to) are "
        "removed this many days after they were used or expired",
    )
    retention_export_days: float = Field(
        default=7,
        gt=0,
        description="A person's data export produced by a job is removed after this many days",
    )
    export_dir: Path = Field(
        default=Path("var/exports"),
        description="Where exports produced by a job wait for their person to download them "
        "(a folder every API process and worker can read)",
    )
    export_inline_rows: int = Field(
        default=5_000,
        ge=0,
        description="An export of at most this many records is answered at once; a larger "
        "one is produced by a job (0: always by a job)",
    )
    terms_version: str = Field(
        default="2026-12",
        min_length=1,
        max_length=40,
        description="The version of the terms people accept at registration and invitation; "
        "recorded with when they accepted it",
    )
    privacy_controller: str = Field(
        default="",
        max_length=500,
        description="Who is responsible for the personal data, and how to reach them (the "
        "privacy page names it); empty says the operator has not yet named one",
    )
