"""match strength calibrations refitted on coordinators' decisions

The shipped calibrations (`data/strength.json`) are fitted on labelled sets; once coordinators
have decided on enough pairs, a refit on those decisions is stored here (one row per refit,
never overwritten) and every process uses the newest for its model.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 21:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strength_fits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("calibrations", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_strength_fits_model", "strength_fits", ["model"])


def downgrade() -> None:
    op.drop_index("ix_strength_fits_model", table_name="strength_fits")
    op.drop_table("strength_fits")
