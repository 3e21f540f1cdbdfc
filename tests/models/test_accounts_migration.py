"""Migration 0008 keeps every API token handed out before it: users.token_hash moves into
api_keys, and back on a downgrade."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from klimatmatch.accounts.service import authenticate, hash_token
from models import create_db_engine, session_factory
from models.migrate import downgrade, upgrade

TOKEN = "km_an-old-token-from-klimatmatch-users-create"


def test_tokens_made_before_accounts_still_work_after_the_migration(tmp_path: Path) -> None:
    db = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0007")
    with db.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, name, role, token_hash, active, created_at) "
                "VALUES (7, 'Old script', 'coordinator', :hash, 1, '2026-01-01 00:00:00')"
            ),
            {"hash": hash_token(TOKEN)},
        )
    upgrade(db)
    with session_factory(db)() as session:
        user = authenticate(session=session, token=TOKEN)
        assert user is not None and user.id == 7 and user.email is None
        assert authenticate(session=session, token=TOKEN + "x") is None
    downgrade(db, "0007")
    with db.connect() as connection:
        stored = connection.scalar(text("SELECT token_hash FROM users WHERE id = 7"))
    assert stored == hash_token(TOKEN)
    db.dispose()
