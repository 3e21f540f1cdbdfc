"""What each kind of job does. Every handler is idempotent, because a job may run again after a
worker crash or a retry: imports upsert by natural key in one transaction, re-encoding skips
what the embedding cache holds, training stores a new version, a snapshot is written atomically.

A handler gets a `JobContext` and returns a one-line summary for the job's row. Kinds live in a
registry, so a deployment (or a test) can add its own with `register` and load the module in
the worker with `klimatmatch worker --module`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.settings import Settings
from matcher import Embedder

log = logging.getLogger("klimatmatch.jobs")


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None, message: str = "") -> None: ...


@dataclass
class JobContext:
    """What a handler gets. Report progress only outside a transaction of your own: SQLite
    has one writer, and the progress is written in a session of its own."""

    settings: Settings
    sessions: sessionmaker[Session]
    arguments: dict[str, Any]
    progress: Progress


Handler = Callable[[JobContext], str]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    unit: str
    """What `done` and `total` count ("texts", "rows", "steps", "items"), shown beside them."""
    needs_file: bool = False


KINDS: dict[str, Kind] = {}
UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{12}-")
"""What `service.save_upload` puts before an uploaded file's name to keep copies apart."""


def register(name: str, *, unit: str = "items", needs_file: bool = False) -> Callable:
    """Add a kind of job (a decorator over its handler)."""

    def decorate(handler: Handler) -> Handler:
        KINDS[name] = Kind(name, handler, unit, needs_file)
        return handler

    return decorate


@register("import", unit="rows", needs_file=True)
def import_job(context: JobContext) -> str:
    """Every row is validated before anything is written, and rows upsert by their natural key
    in one transaction: a retry after a crash writes nothing twice."""
    from klimatmatch.services.importing import import_file

    path = context.settings.upload_dir / Path(context.arguments["file"]).name
    name = UPLOAD_PREFIX.sub("", path.name)  # as uploaded, so messages read as the CLI's do
    context.progress(0, None, f"reading {name}")
    with context.sessions() as session:
        report = import_file(
            session=session, path=path, kind=context.arguments.get("kind"), name=name
        )
        session.commit()
    rows = report.created + report.updated
    context.progress(rows, rows)
    return f"{name}: {report.created} {report.kind} created, {report.updated} updated"


@register("reindex", unit="texts")
def reindex_job(context: JobContext) -> str:
    """Fill the embedding cache for every text with the configured model (after a model
    change), so every process starts from cached vectors instead of encoding at start-up."""
    from klimatmatch.embedding import build_embedder, build_engine
    from klimatmatch.services import indexing

    with context.sessions() as session:
        total = _texts(session)
        session.commit()
        context.progress(0, total, "loading the model")
        model = build_embedder(context.settings)
        if model.cacheable:  # a corpus-fitted model (TF-IDF) is not encoded ahead: no count
            model = CountingEmbedder(model, context.progress, total)
        engine = build_engine(context.settings, model)
        report = indexing.rebuild(session=session, engine=engine, show_progress=False)
        session.commit()
    context.progress(report.challenges + report.companies, report.challenges + report.companies)
    return (
        f"{report.challenges} challenges and {report.companies} companies: "
        f"{report.encoded} texts encoded, {report.reused} from the cache"
    )


def _texts(session: Session) -> int:
    """What a rebuild indexes: every profile and every challenge not archived."""
    from sqlalchemy import func, select

    from models import Challenge, ChallengeStatus, CompanyProfile

    challenges = select(func.count()).where(Challenge.status != ChallengeStatus.ARCHIVED)
    companies = select(func.count()).select_from(CompanyProfile)
    return (session.scalar(challenges) or 0) + (session.scalar(companies) or 0)


@register("train", unit="steps")
def train_job(context: JobContext) -> str:
    """A new re-ranker version from the coordinators' decisions; the service uses it from its
    next start."""
    from klimatmatch.embedding import build_engine
    from klimatmatch.services import learning, snapshots

    with context.sessions() as session:
        context.progress(0, 2, "indexing")
        engine = build_engine(context.settings)
        # the newest snapshot plus the change log when there is one: seconds, not minutes
        snapshots.start(settings=context.settings, session=session, engine=engine)
        session.commit()
        context.progress(1, 2, "training")
        report = learning.train(
            session=session, engine=engine, min_reviews=context.settings.min_reviews
        )
    context.progress(2, 2)
    return f"re-ranker {report.version}: {report.examples} decisions, {report.positives} accepted"


@register("snapshot", unit="steps")
def snapshot_job(context: JobContext) -> str:
    """Persist the index so processes start from it instead of rebuilding from rows."""
    from klimatmatch.services.snapshots import describe, write_snapshot
    from klimatmatch.services.vector_sync import SNAPSHOTS_UNUSED

    if context.settings.index_backend == "pgvector":
        return f"snapshot: {SNAPSHOTS_UNUSED}"
    return "snapshot " + describe(write_snapshot(context.settings, progress=context.progress))


@dataclass
class CountingEmbedder:
    """The configured model, counting the texts it encodes into the job's progress (texts
    already in the cache are not encoded, so after a model change the count is the work)."""

    inner: Embedder
    progress: Progress
    total: int
    encoded: int = field(default=0, init=False)

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet (copying): never recurse
            raise AttributeError(name)
        return getattr(self.inner, name)

    def encode_queries(self, texts: Any, progress: Any = None) -> Any:
        return self._count(self.inner.encode_queries(texts, progress), len(texts))

    def encode_documents(self, texts: Any, progress: Any = None) -> Any:
        return self._count(self.inner.encode_documents(texts, progress), len(texts))

    def fit(self, corpus: Any) -> CountingEmbedder:
        self.inner.fit(corpus)
        return self

    def _count(self, vectors: Any, n: int) -> Any:
        self.encoded += n
        self.progress(min(self.encoded, self.total), self.total)
        return vectors


class ThrottledProgress:
    """Writes progress at most once a second (and always the last call before the end), and
    logs counts and rate, so a handler may report after every text without flooding the
    database."""

    def __init__(
        self, write: Callable[[int, int | None, str], bool], label: str, every: float = 1.0
    ) -> None:
        self._write = write
        self._label = label
        self._every = every
        self._started = time.monotonic()
        self._last = float("-inf")
        self._pending: tuple[int, int | None, str] | None = None
        self.lost = False
        """True once another attempt took the job over: this one should stop reporting."""

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self._pending = (done, total, message)
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            self.flush()

    def flush(self) -> None:
        if self._pending is None or self.lost:
            return
        done, total, message = self._pending
        self._pending = None
        self.lost = not self._write(done, total, message)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        log.info(
            "%s: %s/%s %s(%.1f/s)",
            self._label,
            done,
            "?" if total is None else total,
            f"{message} " if message else "",
            done / elapsed,
        )


from klimatmatch.jobs import alerts as _alerts  # noqa: E402, F401 - alerts and digests (issue 14)
from klimatmatch.jobs import mail as _mail  # noqa: E402, F401 - e-mail a request queued (issue 24)
