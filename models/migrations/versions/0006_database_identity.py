"""database identity: a random id that snapshots of the index name, so one made for another
database is never loaded

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:00:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_version") as batch:
        batch.add_column(sa.Column("database_id", sa.String(length=36), nullable=True))
    op.execute(
        sa.text("UPDATE data_version SET database_id = :id").bindparams(id=str(uuid.uuid4()))
    )


def downgrade() -> None:
    with op.batch_alter_table("data_version") as batch:
        batch.drop_column("database_id")
