"""match strength on stored results and notifications; why a run was stored

A match's strength is the calibrated probability that the pair is relevant (`matcher.strength`):
the one figure that means the same on every page and e-mail. Results and notifications keep it
beside the fused score, which stays for coordinators and the re-ranker. A run is no longer
stored when a shortlist is viewed, only when someone acts on it: `reason` says which act
(frozen, exported, reviewed, invited, alerted; "served" for runs stored before this revision).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("strength", sa.Float(), nullable=True))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("strength", sa.Float(), nullable=True))
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reason", sa.String(length=16), nullable=False, server_default="served")
        )


def downgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_column("reason")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("strength")
    with op.batch_alter_table("match_results", schema=None) as batch_op:
        batch_op.drop_column("strength")
