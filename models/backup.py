"""Whole-database backups: every table to one gzipped JSON file, and back, all or nothing.

Generic over the metadata, so a table added later is backed up without touching this file.
Restoring needs an empty, migrated database (SQLite or PostgreSQL, either way round).
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import Enum as PyEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Enum,
    LargeBinary,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from models.migrate import head_revision
from models.tables import Base, Challenge, Change, CompanyProfile, DataVersion

FORMAT = "klimatmatch-backup/1"
RowCheck = Callable[[str, dict[str, Any]], list[str]]
"""(table, row as in the file) -> what is wrong with it; the application passes its schemas'
check (klimatmatch.catalogue.restoring), so a restore stores nothing another write would refuse."""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, PyEnum):
        return value.value
    return value


def export_database(engine: Engine, path: Path) -> dict[str, int]:
    """Writes every row of every table; returns the row count per table."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [{k: _encode(v) for k, v in row._mapping.items()} for row in rows]
    document = {"format": FORMAT, "schema": head_revision(), "tables": tables}
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False)
    return {name: len(rows) for name, rows in tables.items()}


def _decode(table, row: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN001
    decoded = {}
    for name, value in row.items():
        column_type = table.columns[name].type
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, LargeBinary):
            value = base64.b64decode(value)
        elif value is not None and isinstance(column_type, Enum) and column_type.enum_class:
            value = column_type.enum_class(value)
        decoded[name] = value
    return decoded


class RestoreError(ValueError):
    pass


def restore_database(
    engine: Engine, path: Path, *, check: RowCheck | None = None
) -> dict[str, int]:
    """Loads a backup into an empty database in one transaction; refuses a non-empty one, and
    the whole file when `check` finds a row that breaks a rule."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        document = json.load(handle)
    if document.get("format") != FORMAT:
        raise RestoreError(f"{path.name} is not a Klimatmatch backup ({FORMAT})")
    if document.get("schema") != head_revision():
        raise RestoreError(
            f"{path.name} has schema {document.get('schema')}, this build "
            f"{head_revision()}: restore with the matching version, then migrate"
        )
    if check is not None:
        _check_rows(document["tables"], check, path.name)
    counts = {}
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name == "data_version":
                connection.execute(delete(table))  # the migration's seed row; the backup has one
            elif connection.scalar(select(func.count()).select_from(table)):
                raise RestoreError(f"table {table.name} is not empty: restore into a new database")
        for table in Base.metadata.sorted_tables:
            rows = [_decode(table, row) for row in document["tables"].get(table.name, [])]
            if rows:
                connection.execute(insert(table), rows)
            counts[table.name] = len(rows)
        _record_restored(connection)
        if connection.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.columns and counts[table.name]:
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )
    return counts


def _check_rows(tables: dict[str, list[dict[str, Any]]], check: RowCheck, name: str) -> None:
    """Every problem named by table, row id and column."""
    problems = [
        f"{table} id {row.get('id')}: {problem}"
        for table, rows in tables.items()
        for row in rows
        for problem in check(table, row)
    ]
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise RestoreError(
            f"{name} holds rows no write accepts: " + "; ".join(problems[:10]) + more
        )


def _record_restored(connection: Connection) -> None:
    """Every restored challenge and profile is a change at one new version, so processes
    already serving this database replay them like any other write."""
    if connection.scalar(select(func.count()).select_from(DataVersion)) == 0:
        connection.execute(insert(DataVersion), [{"id": 1, "version": 0}])
    # a restored copy is a database of its own from now on (it may diverge from the source):
    # a new identity, so no process loads a snapshot of the source's index into it
    version = connection.scalar(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1, database_id=str(uuid.uuid4()))
        .returning(DataVersion.version)
    )
    rows = [
        {"version": version, "kind": kind, "object_id": object_id}
        for kind, table in (("challenge", Challenge), ("company", CompanyProfile))
        for object_id in connection.scalars(select(table.id))
    ]
    if rows:
        connection.execute(insert(Change), rows)
