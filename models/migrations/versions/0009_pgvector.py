"""pgvector: the index in the database, when KLIMATMATCH_INDEX_BACKEND=pgvector

Creates the `vector` extension, one index table per side (text, filter fields, a column per
channel) with an HNSW index on the dense column, and `vector_state`; only on PostgreSQL and only
when the caller asks for them (`models.migrate.upgrade(vector_tables=...)`, which the pgvector
backend passes; a later switch creates them at start-up). A server without pgvector stops the
migration with an error that says so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 10:00:00
"""

from alembic import context, op

from models.vector_tables import create_if_asked, drop_tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_if_asked(op.get_bind(), context.config.attributes)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        drop_tables(connection)
