"""challenge engagement: stages, expressions of interest, workshop invitations, teams

A challenge gains a stage beside its status (draft, open for interest, shortlisting, workshop,
closed), the workshop's date and place, and the outcome with a public summary. Existing
challenges start where their status puts them: drafts as drafts, archived ones closed, the
rest open. Each stage change, expression of interest, invitation and team records who and when.
Enums are checked strings (native_enum=False), as in 0001-0012, so SQLite and PostgreSQL agree.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STAGES = ("draft", "open", "shortlisting", "workshop", "closed")
ANSWERS = ("pending", "accepted", "declined")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _users(table: str, *columns: str) -> list:
    return [
        item
        for column in columns
        for item in (
            sa.Column(column, sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL"
            ),
        )
    ]


def _belongs(table: str, column: str, target: str) -> list:
    return [
        sa.Column(column, sa.Integer(), nullable=False),
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
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stage", _enum("challenge_stage", *STAGES), nullable=False, server_default="open"
            )
        )
        batch_op.add_column(_stamp("workshop_at", nullable=True))
        batch_op.add_column(
            sa.Column("workshop_place", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "outcome", _enum("challenge_outcome", "pilot", "procurement", "none"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("summary", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_challenges_stage"), ["stage"], unique=False)
    op.execute("UPDATE challenges SET stage = 'draft' WHERE status = 'draft'")
    op.execute("UPDATE challenges SET stage = 'closed' WHERE status = 'archived'")

    op.create_table(
        "challenge_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        *_belongs("challenge_stage_changes", "challenge_id", "challenges"),
        sa.Column("from_stage", _enum("stage_from", *STAGES), nullable=False),
        sa.Column("to_stage", _enum("stage_to", *STAGES), nullable=False),
        *_users("challenge_stage_changes", "changed_by_id"),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        _stamp("changed_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_stage_changes")),
    )
    _indexes("challenge_stage_changes", "challenge_id")

    op.create_table(
        "expressions_of_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        *_belongs("expressions_of_interest", "challenge_id", "challenges"),
        *_belongs("expressions_of_interest", "company_id", "company_profiles"),
        sa.Column("pitch", sa.Text(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("status", _enum("interest_status", "active", "withdrawn"), nullable=False),
        *_users("expressions_of_interest", "created_by_id", "updated_by_id", "withdrawn_by_id"),
        _stamp("created_at"),
        _stamp("updated_at"),
        _stamp("withdrawn_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expressions_of_interest")),
        sa.UniqueConstraint(
            "challenge_id", "company_id", name=op.f("uq_expressions_of_interest_pair")
        ),
    )
    _indexes("expressions_of_interest", "challenge_id", "company_id")

    op.create_table(
        "workshop_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        *_belongs("workshop_invitations", "challenge_id", "challenges"),
        *_belongs("workshop_invitations", "company_id", "company_profiles"),
        sa.Column("note", sa.Text(), nullable=False),
        *_users("workshop_invitations", "invited_by_id", "answered_by_id"),
        _stamp("invited_at"),
        sa.Column("answer", _enum("invitation_answer", *ANSWERS), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        _stamp("answered_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_invitations")),
        sa.UniqueConstraint(
            "challenge_id", "company_id", name=op.f("uq_workshop_invitations_pair")
        ),
    )
    _indexes("workshop_invitations", "challenge_id", "company_id")

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        *_belongs("teams", "challenge_id", "challenges"),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", _enum("team_status", "proposed", "formed", "declined"), nullable=False),
        *_users("teams", "proposed_by_id"),
        _stamp("proposed_at"),
        _stamp("settled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    _indexes("teams", "challenge_id")

    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        *_belongs("team_members", "team_id", "teams"),
        *_belongs("team_members", "company_id", "company_profiles"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answer", _enum("member_answer", *ANSWERS), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        *_users("team_members", "answered_by_id"),
        _stamp("answered_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("team_id", "company_id", name=op.f("uq_team_members_pair")),
    )
    _indexes("team_members", "team_id", "company_id")


def downgrade() -> None:
    for table in (
        "team_members",
        "teams",
        "workshop_invitations",
        "expressions_of_interest",
        "challenge_stage_changes",
    ):
        op.drop_table(table)
    # Plain ALTERs, never a batch rebuild of `challenges`: on SQLite a rebuild drops the table,
    # and with foreign keys on that deletes its reviews, match results and interest first.
    op.drop_index(op.f("ix_challenges_stage"), table_name="challenges")
    for column in ("summary", "outcome", "workshop_place", "workshop_at", "stage"):
        op.drop_column("challenges", column)
