"""pgvector: postings keyed in weight order (a large table reads only each term's heaviest)

The primary key of `<table>_terms` becomes (channel, term, weight, id): an exact query still
reads all of a term's postings from it, index-only, and above `KLIMATMATCH_ANN_THRESHOLD` rows
a query reads only the heaviest `KLIMATMATCH_PGVECTOR_POSTINGS_PER_TERM` of each of its terms
(impact order). Nothing is re-encoded; the key is rebuilt over the postings already stored.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 15:00:00
"""

from alembic import op
from sqlalchemy import text

from models.vector_tables import POSTINGS_KEY, SIDES, terms_table

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _rekey(f"({POSTINGS_KEY})")


def downgrade() -> None:
    _rekey("(channel, term, id) INCLUDE (weight)")


def _rekey(key: str) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    for table, _ in SIDES.values():
        terms = terms_table(table)
        if connection.scalar(text("SELECT to_regclass(:t)"), {"t": terms}) is None:
            continue  # the memory backend: no index tables
        op.execute(f"ALTER TABLE {terms} DROP CONSTRAINT IF EXISTS {terms}_pkey")
        op.execute(f"ALTER TABLE {terms} ADD PRIMARY KEY {key}")
