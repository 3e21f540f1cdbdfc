"""Migration 0017 gives existing challenges empty eForms fields and no release, and its
downgrade keeps every challenge and what hangs from it (plain ALTERs, no rebuild on SQLite)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from models import create_db_engine
from models.migrate import downgrade, upgrade


def test_existing_challenges_get_empty_fields_and_a_downgrade_keeps_them(tmp_path: Path) -> None:
    db = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0016")
    with db.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, kind, country, approved, created_at) "
                "VALUES (1, 'Stockholm', 'city', 'SE', 1, '2026-01-01 00:00:00'), "
                "(2, 'Voltgräv AB', 'company', 'SE', 1, '2026-01-01 00:00:00')"
            )
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
                "INSERT INTO challenges (id, organisation_id, title, description, theme, "
                "language, status, cpv_codes, criteria, location, contact, version, stage, "
                "workshop_place, summary, created_at, updated_at) VALUES (1, 1, 'T', 'D', '', "
                "'sv', 'published', '[]', '', '', '', 1, 'open', '', '', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO reviews (challenge_id, company_id, reviewer, decision, reason, note, "
                "created_at) VALUES (1, 1, 'Sara', 'accepted', '', '', '2026-01-01 00:00:00')"
            )
        )
    upgrade(db)
    with db.begin() as connection:
        row = connection.execute(
            text(
                "SELECT nuts_code, innovative_procurement, green_procurement, green_criteria, "
                "clean_vehicles, tender_ocid FROM challenges"
            )
        ).one()
        assert tuple(row) == ("", "", "[]", "[]", None, "")
        assert connection.scalar(text("SELECT count(*) FROM ocds_releases")) == 0
        connection.execute(
            text(
                "INSERT INTO ocds_releases (challenge_id, sequence, tag, date, release) "
                "VALUES (1, 1, 'planning', '2026-01-02 00:00:00', '{}')"
            )
        )
    downgrade(db, "0016")
    with db.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM challenges")) == 1
        assert connection.scalar(text("SELECT count(*) FROM reviews")) == 1
        columns = {r[1] for r in connection.execute(text("PRAGMA table_info(challenges)"))}
        assert "tender_ocid" not in columns and "stage" in columns
    db.dispose()
