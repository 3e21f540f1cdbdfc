"""The one place that turns the setting `index_backend` into a backend (as polar's
`benefit/registry.py` maps a benefit's type to its service): callers ask `backend_for`."""

from __future__ import annotations

from sqlalchemy import Engine

from klimatmatch.core.settings import Settings
from klimatmatch.index.backend import IndexBackend
from klimatmatch.index.memory import MemoryBackend
from klimatmatch.index.pgvector import PgvectorBackend

BACKENDS: dict[str, type[IndexBackend]] = {
    "memory": MemoryBackend,
    "pgvector": PgvectorBackend,
}


class UnknownBackend(ValueError):
    """`index_backend` names no backend in `BACKENDS`."""


def backend_for(settings: Settings) -> IndexBackend:
    """The configured backend, made with the settings."""
    try:
        backend = BACKENDS[settings.index_backend]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise UnknownBackend(
            f"index_backend {settings.index_backend!r} is not one of: {known}"
        ) from None
    return backend(settings)


def migrate(db: Engine, settings: Settings) -> None:
    """The schema at head with the configured backend's tables (what `models.migrate.upgrade`
    does for the in-process index)."""
    backend_for(settings).migrate(db)
