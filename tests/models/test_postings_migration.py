"""Migration 0015 re-keys the pgvector postings in weight order and its downgrade restores the
old key, on a real PostgreSQL with pgvector, with the postings kept."""

from __future__ import annotations

from sqlalchemy import text

from models import create_db_engine
from models.migrate import downgrade, upgrade
from models.vector_tables import VectorTables

KEY = (
    "SELECT array_agg(a.attname ORDER BY k.ord) FROM pg_index i "
    "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
    "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
    "WHERE i.indrelid = 'vector_companies_terms'::regclass AND i.indisprimary"
)


def test_the_postings_key_follows_the_weight_and_comes_back(pgvector_url: str) -> None:
    db = create_db_engine(pgvector_url)
    upgrade(db, "0014", vector_tables=VectorTables(dimensions=8))
    with db.begin() as connection:  # the key as 0011 created it before this change
        connection.execute(
            text(
                "ALTER TABLE vector_companies_terms DROP CONSTRAINT vector_companies_terms_pkey, "
                "ADD PRIMARY KEY (channel, term, id) INCLUDE (weight)"
            )
        )
        assert connection.scalar(text(KEY)) == ["channel", "term", "id", "weight"]
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # no profile
        connection.execute(
            text(
                "INSERT INTO vector_companies (id, row_version, text, fields, codes, tagged) "
                "VALUES (7, 1, 't', '{}', '{}', '{}')"
            )
        )
        connection.execute(
            text("INSERT INTO vector_companies_terms VALUES (1, 3, 7, 0.5), (1, 4, 7, 0.25)")
        )
    upgrade(db)
    with db.connect() as connection:
        assert connection.scalar(text(KEY)) == ["channel", "term", "weight", "id"]
        assert connection.scalar(text("SELECT count(*) FROM vector_companies_terms")) == 2
    downgrade(db, "0014")
    with db.connect() as connection:
        assert connection.scalar(text(KEY)) == ["channel", "term", "id", "weight"]
        assert connection.scalar(text("SELECT count(*) FROM vector_companies_terms")) == 2
    db.dispose()
