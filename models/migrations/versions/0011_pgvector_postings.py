"""pgvector: postings of the sparse channels, when KLIMATMATCH_INDEX_BACKEND=pgvector

One `<table>_terms` table per side (channel, term, id, weight; primary key (channel, term, id)
covering the weight, so a query's postings are an index-only scan), from which BM25 and CPV
search their top candidates instead of scanning every row's `sparsevec`. Existing rows get their
postings at the next start of the service: the stored index's signature changed, so it rebuilds.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00
"""

from alembic import context, op

from models.vector_tables import SIDES, create_if_asked, terms_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_if_asked(op.get_bind(), context.config.attributes)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for table, _ in SIDES.values():
            op.execute(f"DROP TABLE IF EXISTS {terms_table(table)}")
