"""Everything Klimatmatch keeps about one person, as one machine-readable file: JSON, or a zip
with that JSON and a CSV per kind of record.

Each kind is a query and a row shape (`SECTIONS`), so counting (to decide whether a job
produces the file) and exporting read the same rows. Secrets never leave: no hash of a
session, key, password or link is in any row shape."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from klimatmatch.core.settings import Settings
from klimatmatch.core.spreadsheet_safety import neutralise
from models import ApiKey, Invitation, Job, MatchRun, Review, SignInFailure, SignInSession, User
from models.accounts import TermsAcceptance
from models.alerts import AlertPreference, Notification
from models.engagement import (
    ExpressionOfInterest,
    StageChange,
    Team,
    TeamMember,
    WorkshopInvitation,
)
from models.tables import utcnow

FORMAT = "klimatmatch-export/1"
FORMATS = ("json", "zip")
EXPORT_KIND = "export"
"""The job kind that produces a large export."""
Row = dict[str, Any]


@dataclass(frozen=True)
class Section:
    """One kind of record: its table, which rows are the person's, and the columns exported."""

    table: type[Any]
    mine: Callable[[User], ColumnElement[bool]]
    columns: tuple[str, ...]

    def query(self, user: User) -> Select:
        return select(self.table).where(self.mine(user))

    def shape(self, row: Any) -> Row:
        return {name: getattr(row, name) for name in self.columns}


SECTIONS: dict[str, Section] = {
    "sessions": Section(
        SignInSession,
        lambda u: SignInSession.user_id == u.id,
        ("created_at", "last_seen_at", "expires_at", "revoked_at", "address", "user_agent"),
    ),
    "api_keys": Section(
        ApiKey,
        lambda u: ApiKey.user_id == u.id,
        ("name", "created_at", "last_used_at", "revoked_at"),
    ),
    "terms_accepted": Section(
        TermsAcceptance, lambda u: TermsAcceptance.user_id == u.id, ("version", "accepted_at")
    ),
    "reviews": Section(
        Review,
        lambda u: Review.reviewer_id == u.id,
        ("id", "challenge_id", "company_id", "decision", "reason", "note", "created_at"),
    ),
    "stage_changes": Section(
        StageChange,
        lambda u: StageChange.changed_by_id == u.id,
        ("challenge_id", "from_stage", "to_stage", "changed_at"),
    ),
    "interest": Section(
        ExpressionOfInterest,
        lambda u: or_(
            ExpressionOfInterest.created_by_id == u.id,
            ExpressionOfInterest.updated_by_id == u.id,
            ExpressionOfInterest.withdrawn_by_id == u.id,
        ),
        ("challenge_id", "company_id", "pitch", "partners", "status", "created_at")
        + ("updated_at", "withdrawn_at"),
    ),
    "workshop_invitations": Section(
        WorkshopInvitation,
        lambda u: or_(
            WorkshopInvitation.invited_by_id == u.id, WorkshopInvitation.answered_by_id == u.id
        ),
        ("challenge_id", "company_id", "note", "invited_at", "answer", "reason", "answered_at"),
    ),
    "teams_proposed": Section(
        Team,
        lambda u: Team.proposed_by_id == u.id,
        ("id", "challenge_id", "note", "status", "proposed_at"),
    ),
    "team_answers": Section(
        TeamMember,
        lambda u: TeamMember.answered_by_id == u.id,
        ("team_id", "company_id", "answer", "reason", "answered_at"),
    ),
    "inbox": Section(
        Notification,
        lambda u: Notification.user_id == u.id,
        ("kind", "title", "body", "challenge_id", "company_id", "created_at", "read_at")
        + ("emailed_at",),
    ),
    "match_runs": Section(
        MatchRun,
        lambda u: MatchRun.created_by_id == u.id,
        ("id", "direction", "subject_id", "reason", "created_at"),
    ),
    "jobs": Section(
        Job, lambda u: Job.created_by_id == u.id, ("kind", "state", "created_at", "finished_at")
    ),
    "invitations_received": Section(
        Invitation,
        lambda u: Invitation.email == u.email,
        ("role", "created_at", "expires_at", "used_at"),
    ),
    "failed_sign_ins": Section(
        SignInFailure, lambda u: SignInFailure.key == f"account:{u.email}", ("at",)
    ),
}


def count_records(*, session: Session, user: User, settings: Settings) -> int:
    """How many records an export of `user` holds (what decides inline or by a job)."""
    total = sum(
        session.scalar(select(func.count()).select_from(s.table).where(s.mine(user))) or 0
        for s in SECTIONS.values()
    )
    return total + len(outbox_files(settings.outbox_dir, user.email))


def gather(*, session: Session, user: User, settings: Settings) -> dict[str, Any]:
    """The export as plain data: the account, then a list per kind of record."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": utcnow(),
        "account": _account(session, user),
    }
    for name, section in SECTIONS.items():
        keys = section.table.__table__.primary_key.columns
        data[name] = [
            section.shape(r) for r in session.scalars(section.query(user).order_by(*keys))
        ]
    data["emails"] = [_email(path) for path in outbox_files(settings.outbox_dir, user.email)]
    return plain(data)


def _account(session: Session, user: User) -> Row:
    preference = session.get(AlertPreference, user.id)
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "organisation": user.organisation.name if user.organisation else None,
        "language": user.language,
        "active": user.active,
        "created_at": user.created_at,
        "email_alerts": preference.frequency if preference else "immediate",
    }


def outbox_files(folder: Path, email: str | None) -> list[Path]:
    """The .eml files in the outbox (no SMTP server) addressed to `email`."""
    if not email or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml")):
        with path.open("rb") as handle:
            headers = BytesParser(policy=policy.default).parse(handle, headersonly=True)
        if str(headers.get("To", "")).strip().lower() == email:
            found.append(path)
    return found


def _email(path: Path) -> Row:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = message.get_body(preferencelist=("plain",))
    return {
        "date": str(message.get("Date", "")),
        "subject": str(message.get("Subject", "")),
        "body": body.get_content() if body is not None else "",
    }


def plain(value: Any) -> Any:
    """JSON's types: dates as ISO 8601, enums as their values."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def to_zip(data: dict[str, Any]) -> bytes:
    """export.json, and a CSV per kind of record (cells neutralised against formulas)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", to_json(data))
        for name, rows in data.items():
            if isinstance(rows, list):
                archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


def _csv(rows: list[Row]) -> bytes:
    text = io.StringIO()
    if rows:
        writer = csv.DictWriter(text, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: neutralise(_cell(value)) for key, value in row.items()})
    return text.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def render(data: dict[str, Any], fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the export in `fmt`."""
    stamp = str(data["exported_at"])[:10]
    if fmt == "zip":
        return to_zip(data), "application/zip", f"klimatmatch-export-{stamp}.zip"
    return to_json(data), "application/json", f"klimatmatch-export-{stamp}.json"


def export_path(settings: Settings, arguments: dict[str, Any]) -> Path | None:
    """Where an export job writes its file: a random name (so nobody guesses another's), in
    the export folder; None for arguments that name no such file."""
    name, fmt = str(arguments.get("name", "")), str(arguments.get("format", "json"))
    if not name.isalnum() or fmt not in FORMATS:
        return None
    return settings.export_dir / f"{name}.{fmt}"
