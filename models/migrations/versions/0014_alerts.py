"""alerts: notifications (the inbox), alert preferences, challenges waiting to be matched

A notification is unique per (person, kind, item), so a job run twice creates it once, and
carries its e-mail state (accepted when, attempts, last error). Preferences hold the e-mail
frequency (no row: immediate) and the unsubscribe token. `alert_matches` is the outbox of
published challenges the alert job has still to rank. Enums are checked strings
(native_enum=False), as in 0001-0013, so SQLite and PostgreSQL agree.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KINDS = ("match", "interest", "answer")
FREQUENCIES = ("immediate", "daily", "weekly", "never")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _refers(table: str, column: str, target: str, nullable: bool = False) -> list:
    return [
        sa.Column(column, sa.Integer(), nullable=nullable),
        sa.ForeignKeyConstraint(
            [column],
            [f"{target}.id"],
            name=op.f(f"fk_{table}_{column}_{target}"),
            ondelete="CASCADE",
        ),
    ]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        *_refers("notifications", "user_id", "users"),
        sa.Column("kind", _enum("notification_kind", *KINDS), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=False),
        *_refers("notifications", "challenge_id", "challenges", nullable=True),
        *_refers("notifications", "company_id", "company_profiles", nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        _stamp("created_at"),
        _stamp("read_at", nullable=True),
        _stamp("emailed_at", nullable=True),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_error", sa.String(length=500), nullable=False),
        sa.Column("email_skipped", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "kind", "item_key", name=op.f("uq_notifications_item")),
    )
    _indexes("notifications", "user_id", "challenge_id", "emailed_at")

    op.create_table(
        "alert_preferences",
        *_refers("alert_preferences", "user_id", "users"),
        sa.Column("frequency", _enum("alert_frequency", *FREQUENCIES), nullable=False),
        sa.Column("unsubscribe_token", sa.String(length=64), nullable=False),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_preferences")),
        sa.UniqueConstraint(
            "unsubscribe_token", name=op.f("uq_alert_preferences_unsubscribe_token")
        ),
    )

    op.create_table(
        "alert_matches",
        *_refers("alert_matches", "challenge_id", "challenges"),
        _stamp("created_at"),
        _stamp("matched_at", nullable=True),
        sa.PrimaryKeyConstraint("challenge_id", name=op.f("pk_alert_matches")),
    )
    _indexes("alert_matches", "matched_at")


def downgrade() -> None:
    for table in ("alert_matches", "alert_preferences", "notifications"):
        op.drop_table(table)
