"""Migration 0013 puts existing challenges at the stage their status implies, and its
downgrade leaves every other row where it was (SQLite rebuilds `challenges` to drop columns)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from models import create_db_engine
from models.migrate import downgrade, upgrade

ROWS = [(1, "draft"), (2, "published"), (3, "archived")]


def test_existing_challenges_get_their_stage_and_a_downgrade_keeps_them(tmp_path: Path) -> None:
    db = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0012")
    with db.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, kind, country, approved, created_at) "
                "VALUES (1, 'Stockholm', 'city', 'SE', 1, '2026-01-01 00:00:00'), "
                "(2, 'Voltgräv AB', 'company', 'SE', 1, '2026-01-01 00:00:00')"
            )
        )
        for challenge_id, status in ROWS:
            connection.execute(
                text(
                    "INSERT INTO challenges (id, organisation_id, title, description, theme, "
                    "language, status, cpv_codes, criteria, location, contact, version, "
                    "created_at, updated_at) VALUES (:id, 1, 'T', 'D', '', 'sv', :status, '[]', "
                    "'', '', '', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"id": challenge_id, "status": status},
            )
        connection.execute(
            text(
                "INSERT INTO company_profiles (id, organisation_id, name, description, sector, "
                'country, language, website, cpv_codes, "references", languages, version, '
                "created_at, updated_at) VALUES (1, 2, 'Voltgräv AB', 'D', '', 'SE', 'sv', '', "
                "'[]', '[]', '[]', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO reviews (challenge_id, company_id, reviewer, decision, reason, note, "
                "created_at) VALUES (2, 1, 'Sara', 'accepted', '', '', '2026-01-01 00:00:00')"
            )
        )
    upgrade(db)
    with db.connect() as connection:
        stages = dict(connection.execute(text("SELECT id, stage FROM challenges")).all())
        assert stages == {1: "draft", 2: "open", 3: "closed"}
        assert connection.scalar(text("SELECT count(*) FROM reviews")) == 1
    downgrade(db, "0012")
    with db.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM challenges")) == 3
        assert connection.scalar(text("SELECT count(*) FROM reviews")) == 1
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(challenges)"))}
        assert "stage" not in columns and "summary" not in columns
    db.dispose()
