"""OCDS releases and the eForms fields of a challenge

A challenge gains what procurement data needs: the delivery region (NUTS), the eForms fields a
later notice carries (innovative procurement BT-776, green procurement BT-774 and its criteria
BT-805, the Clean Vehicles Directive BT-717) and the ocid of the tender that followed it. Every
OCDS release emitted for a published challenge is kept in `ocds_releases`. Existing rows get
empty values; no release is emitted for them until they are next written.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nuts_code", sa.String(length=5), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("innovative_procurement", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("green_procurement", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("green_criteria", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("clean_vehicles", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("tender_ocid", sa.String(length=100), nullable=False, server_default="")
        )
    op.create_table(
        "ocds_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=24), nullable=False),
        sa.Column("date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("release", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_ocds_releases_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_releases")),
        sa.UniqueConstraint("challenge_id", "sequence", name=op.f("uq_ocds_releases_number")),
    )
    with op.batch_alter_table("ocds_releases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ocds_releases_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ocds_releases_date"), ["date"], unique=False)


def downgrade() -> None:
    op.drop_table("ocds_releases")
    # Plain ALTERs, never a batch rebuild of `challenges`: on SQLite a rebuild drops the table,
    # and with foreign keys on that deletes its reviews, match results and interest first.
    for column in (
        "tender_ocid",
        "clean_vehicles",
        "green_criteria",
        "green_procurement",
        "innovative_procurement",
        "nuts_code",
    ):
        op.drop_column("challenges", column)
