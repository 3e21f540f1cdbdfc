from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from klimatmatch.cli import app
from klimatmatch.core.settings import get_settings
from models import Base, create_db_engine
from models.backup import RestoreError, export_database, restore_database
from models.migrate import upgrade
from tests.api.conftest import make_world
from tests.conftest import POSTGRES_URL, reset_postgres


def same_instant(value: object) -> object:
    """SQLite keeps UTC datetimes naive, PostgreSQL aware: compare them as instants."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            t.name: [
                tuple(same_instant(v) for v in r)
                for r in connection.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in Base.metadata.sorted_tables
        }


def without_log(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {name: rows for name, rows in tables.items() if name not in ("changes", "data_version")}


def test_backup_round_trips_every_row_sqlite_to_postgresql_and_back(tmp_path: Path) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    make_world(source_url)
    source = create_db_engine(source_url)
    archive = tmp_path / "backup.json.gz"
    counts = export_database(source, archive)
    assert counts["company_profiles"] == 155 and counts["users"] == 6
    target = reset_postgres()
    upgrade(target)
    assert restore_database(target, archive) == counts
    original = snapshot(source)
    restored = snapshot(target)
    assert without_log(restored) == without_log(original)
    # the restore is one more write: every challenge and profile at a new data version, so
    # processes already following this database replay them
    version = original["data_version"][0][1] + 1
    [(row, restored_version, identity)] = restored["data_version"]
    assert (row, restored_version) == (1, version)
    # a database of its own: no snapshot of the source's index is loaded into it
    assert identity and identity != original["data_version"][0][2]
    replayed = {(kind, oid) for v, kind, oid, _ in restored["changes"] if v == version}
    assert len(replayed) == counts["challenges"] + counts["company_profiles"]
    second = tmp_path / "again.json.gz"
    export_database(target, second)
    back = create_db_engine(f"sqlite:///{tmp_path / 'back.db'}")
    upgrade(back)
    restore_database(back, second)
    assert without_log(snapshot(back)) == without_log(original)
    with pytest.raises(RestoreError, match="is not empty"):
        restore_database(back, second)
    target.dispose()
    reset_postgres().dispose()
    assert POSTGRES_URL


def test_cli_export_then_import_into_a_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("KLIMATMATCH_EMBEDDER", "tfidf")
    get_settings.cache_clear()
    assert runner.invoke(app, ["init", "--sample"]).exit_code == 0
    result = runner.invoke(app, ["export", str(tmp_path / "b.json.gz")])
    assert result.exit_code == 0 and "155 company_profiles" in " ".join(result.output.split())
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    get_settings.cache_clear()
    restored = runner.invoke(app, ["import", str(tmp_path / "b.json.gz")])
    assert restored.exit_code == 0 and "45 challenges" in " ".join(restored.output.split())
    twice = runner.invoke(app, ["import", str(tmp_path / "b.json.gz")])
    assert twice.exit_code == 2 and "not empty" in twice.output
    get_settings.cache_clear()
