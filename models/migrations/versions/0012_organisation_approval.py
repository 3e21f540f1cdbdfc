"""organisation approval: a self-registered company is matched once a coordinator approves it

`approved` is true for every existing organisation (they were created by administrators or
imports) and false for a company that asked to join through the registration form until a
coordinator or administrator approves it, as the Enterprise Europe Network reviews profiles
before publishing them. `approved_at`/`approved_by` say when and by whom.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approved", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.Integer(), nullable=True))
        batch_op.create_index("ix_organisations_approved", ["approved"])


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index("ix_organisations_approved")
        batch_op.drop_column("approved_by")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved")
