"""pgvector: the index in the database, when KLIMATMATCH_INDEX_BACKEND=pgvector

Creates the `vector` extension, one index table per side (text, filter fields, a column per
channel) with an HNSW index on the dense column, and `vector_state`; only on PostgreSQL and only
when the pgvector backend is configured (a later switch creates them at start-up). A server
without pgvector stops the migration with an error that says so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 10:00:00
"""

from alembic import op

from klimatmatch.settings import Settings
from models.vector_tables import Hnsw, create_tables, drop_tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    settings = Settings()
    if connection.dialect.name == "postgresql" and settings.index_backend == "pgvector":
        create_tables(
            connection,
            settings.vector_dimensions,
            hnsw=Hnsw.from_settings(settings),
        )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        drop_tables(connection)
