"""change log: the ordered writes every process replays into its index

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", "kind", "object_id", name=op.f("pk_changes")),
    )


def downgrade() -> None:
    op.drop_table("changes")
