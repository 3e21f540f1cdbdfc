"""challenge details and company references: what the city's and the company's forms ask for

A challenge gains the city's criteria for success, a deadline for expressions of interest, a
location and a contact person; a company profile gains references (earlier projects with cities:
what, where, when) and the languages it works in. Existing rows get empty values.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("criteria", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("location", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("contact", sa.String(length=300), nullable=False, server_default="")
        )
    with op.batch_alter_table("company_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("references", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("company_profiles", schema=None) as batch_op:
        batch_op.drop_column("languages")
        batch_op.drop_column("references")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_column("contact")
        batch_op.drop_column("location")
        batch_op.drop_column("deadline")
        batch_op.drop_column("criteria")
