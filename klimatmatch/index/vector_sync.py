"""The pgvector index kept in step with the rows: written in their transaction, nothing to replay.

Every session of the service writes a challenge's or profile's vectors just before it commits
(`install`: the rows flushed in that transaction are encoded and written on its connection),
so a shortlist sees a write as soon as it is committed, in every process, and a rollback takes
the vectors back with the row. Deleting a row deletes its vectors (foreign key). Writes made by
other means (an import from the CLI) are caught up at the next start (`start` compares each
row's version with the version its vectors were built from).

The fitted BM25 (vocabulary, IDF) lives in `vector_state`, so every process queries with the
same vocabulary the stored weights were computed with; a rebuild refits it and rewrites every
row in one transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.index import vector_state
from klimatmatch.index.indexing import (
    IndexReport,
    challenge_document,
    company_document,
)
from klimatmatch.index.replication import current_version
from klimatmatch.index.snapshots import StartReport
from klimatmatch.index.vector_store import PgVectorIndex
from matcher import Document, MatchEngine
from matcher.backends import Side
from models import Challenge, ChallengeStatus, CompanyProfile, Organisation, crud
from models.vector_tables import (
    POSTINGS_KEY,
    SIDES,
    Hnsw,
    hnsw_index,
    terms_table,
)

log = logging.getLogger("klimatmatch.vectors")
_PENDING = "klimatmatch.vector_rows"
_BULK = 5_000
"""From this many rows into an empty table, the HNSW index is built after the rows go in."""
SNAPSHOTS_UNUSED = "not used with the pgvector backend (the index lives in PostgreSQL)"


class Current:
    """Stands in for the change-log follower: the index is the database, never behind."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.lag = 0

    @property
    def applied(self) -> int:
        with self.sessions() as session:
            return current_version(session=session)

    def stop(self) -> None:
        """Nothing runs."""


def start(*, session: Session, engine: MatchEngine) -> StartReport:
    """Load the shared BM25 fit and catch up rows written without the hook; rebuild when the
    tables are empty or were built by another configuration."""
    began = time.perf_counter()
    state = vector_state.load(session.connection())
    if state is None or state["signature"] != vector_state.signature(engine):
        report = rebuild(session=session, engine=engine)
        source = "pgvector rebuild"
    else:
        vector_state.adopt(engine, state)
        applied = catch_up(session=session, engine=engine)
        log.info("pgvector index current; %s rows caught up", applied)
        source = "pgvector"
        report = IndexReport(len(engine.challenges), len(engine.companies), 0, 0)
    return StartReport(
        source=source,
        version=current_version(session=session),
        challenges=report.challenges,
        companies=report.companies,
        seconds=round(time.perf_counter() - began, 3),
    )


def rebuild(*, session: Session, engine: MatchEngine) -> IndexReport:
    """Refit BM25 on every text and rewrite every row in one transaction (readers keep the
    previous index until it commits)."""
    active = [ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED]
    challenges = crud.list_challenges(session=session, statuses=active)
    companies = [c for c in crud.list_companies(session=session) if c.approved]
    staged = engine.spawn()
    staged.fit([c.text for c in challenges] + [c.text for c in companies])
    written = {
        "challenge": _encoded(session, staged, "challenge", challenges),
        "company": _encoded(session, staged, "company", companies),
    }
    session.commit()
    with engine.companies.db.begin() as connection:
        for side, (documents, vectors, versions) in written.items():
            table = SIDES[side][0]
            bulk = len(documents) >= _BULK
            empty(connection, table, drop_indexes=bulk)
            _target(staged, side).write(connection, documents, vectors, versions)
            if bulk:
                create_indexes(connection, table, _target(staged, side).hnsw)
        vector_state.save(connection, staged)
    engine.adopt(staged)
    vector_state.set_widths(engine)
    return IndexReport(len(challenges), len(companies), 0, 0)


def catch_up(*, session: Session, engine: MatchEngine) -> int:
    """Index rows whose vectors are missing or older than the row; drop archived ones."""
    stale: dict[Side, list[int]] = {}
    live = {
        "challenge": select(Challenge.id, Challenge.version).where(
            Challenge.status != ChallengeStatus.ARCHIVED
        ),
        "company": select(CompanyProfile.id, CompanyProfile.version)
        .join(Organisation, Organisation.id == CompanyProfile.organisation_id)
        .where(Organisation.approved.is_(True)),
    }
    for side, query in live.items():
        built = dict(session.execute(text(f"SELECT id, row_version FROM {SIDES[side][0]}")).all())
        stale[side] = [i for i, version in session.execute(query) if built.get(i) != version]
    challenges = _by_id(session, Challenge, stale["challenge"])
    companies = _by_id(session, CompanyProfile, stale["company"])
    write_rows(session=session, engine=engine, challenges=challenges, companies=companies)
    leaving = {
        "challenge": select(Challenge.id).where(Challenge.status == ChallengeStatus.ARCHIVED),
        "company": select(CompanyProfile.id)
        .join(Organisation, Organisation.id == CompanyProfile.organisation_id)
        .where(Organisation.approved.is_(False)),
    }
    for side, query in leaving.items():
        _delete(session.connection(), side, list(session.scalars(query)))
    session.commit()
    return len(challenges) + len(companies)


def write_rows(
    *,
    session: Session,
    engine: MatchEngine,
    challenges: Sequence[Challenge],
    companies: Sequence[CompanyProfile],
) -> None:
    """Vectors of these rows on the session's connection (its transaction); archived
    challenges leave the index."""
    connection = session.connection()
    _delete(
        connection, "challenge", [c.id for c in challenges if c.status is ChallengeStatus.ARCHIVED]
    )
    _delete(connection, "company", [c.id for c in companies if not c.approved])
    live = [c for c in challenges if c.status is not ChallengeStatus.ARCHIVED]
    ready = [c for c in companies if c.approved]
    for side, rows in (("challenge", live), ("company", ready)):
        rows = _stale(connection, side, rows)
        if rows:
            documents, vectors, versions = _encoded(session, engine, side, rows)
            _target(engine, side).write(connection, documents, vectors, versions)


def _delete(connection: Connection, side: Side, ids: list[int]) -> None:
    """Rows that leave the index: archived challenges, profiles not (or no longer) approved."""
    if ids:
        connection.execute(text(f"DELETE FROM {SIDES[side][0]} WHERE id = ANY(:ids)"), {"ids": ids})


def _stale(connection: Connection, side: Side, rows: Sequence[Any]) -> list[Any]:
    """The rows whose vectors were not built from their current version."""
    if not rows:
        return []
    built = dict(
        connection.execute(
            text(f"SELECT id, row_version FROM {SIDES[side][0]} WHERE id = ANY(:ids)"),
            {"ids": [r.id for r in rows]},
        ).all()
    )
    return [r for r in rows if built.get(r.id) != r.version]


def _target(engine: MatchEngine, side: Side) -> PgVectorIndex:
    return engine.challenges if side == "challenge" else engine.companies


def install(sessions: sessionmaker[Session], engine: MatchEngine) -> None:
    """Every commit of these sessions writes the vectors of the rows it changed first."""

    def collect(session: Session, _context: Any) -> None:
        pending = session.info.setdefault(_PENDING, {})
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, Challenge | CompanyProfile):
                pending[(type(obj), obj.id)] = obj

    def write(session: Session) -> None:
        session.flush()
        pending = session.info.pop(_PENDING, {})
        live = [o for o in pending.values() if o in session and o not in session.deleted]
        if live:
            write_rows(
                session=session,
                engine=engine,
                challenges=[o for o in live if isinstance(o, Challenge)],
                companies=[o for o in live if isinstance(o, CompanyProfile)],
            )

    event.listen(sessions, "after_flush", collect)
    event.listen(sessions, "before_commit", write)
    event.listen(sessions, "after_rollback", lambda session: session.info.pop(_PENDING, None))


def _encoded(
    session: Session, engine: MatchEngine, side: Side, rows: Sequence[Any]
) -> tuple[list[Document], dict, dict[int, int]]:
    """Documents, vectors of every channel (the model's from the embedding cache first) and
    the row versions they were built from. Never commits: it runs inside the writer's commit."""
    build = challenge_document if side == "challenge" else company_document
    documents = engine.prepare([build(row) for row in rows])
    precomputed = {}
    for name, embedder in engine.channels.items():
        if embedder.cacheable:
            precomputed[name] = _cached(session, engine, name, side, documents)
    vectors = engine.encode(side, documents, precomputed)
    return documents, vectors, {row.id: row.version for row in rows}


def _cached(
    session: Session, engine: MatchEngine, name: str, side: Side, documents: list[Document]
) -> np.ndarray:
    embedder = engine.channels[name]
    model = f"{'q' if side == 'challenge' else 'd'}:{embedder.fingerprint}"
    cached = crud.cached_vectors(
        session=session, model=model, text_hashes=[d.text_hash for d in documents]
    )
    missing = list({d.text_hash: d for d in documents if d.text_hash not in cached}.values())
    if missing:
        encode = embedder.encode_queries if side == "challenge" else embedder.encode_documents
        fresh = encode([d.text for d in missing])
        new = {d.text_hash: np.asarray(v) for d, v in zip(missing, fresh, strict=True)}
        crud.store_vectors(session=session, model=model, vectors=new)
        cached.update(new)
    return np.vstack([cached[d.text_hash] for d in documents])


def _by_id(session: Session, table: type, ids: list[int]) -> list:
    found = []
    for start in range(0, len(ids), 500):
        found += session.scalars(select(table).where(table.id.in_(ids[start : start + 500])))
    return found


def empty(connection: Connection, table: str, *, drop_indexes: bool) -> None:
    """Delete every row of an index table and its postings (the postings first: one statement
    instead of a cascade per row); for a bulk write, drop the indexes too (`create_indexes`)."""
    terms = terms_table(table)
    connection.execute(text(f"DELETE FROM {terms}"))
    connection.execute(text(f"DELETE FROM {table}"))
    if drop_indexes:
        connection.execute(text(f"DROP INDEX IF EXISTS {table}_dense"))
        connection.execute(text(f"DROP INDEX IF EXISTS {table}_terms_id"))
        connection.execute(text(f"ALTER TABLE {terms} DROP CONSTRAINT IF EXISTS {terms}_pkey"))


def create_indexes(connection: Connection, table: str, hnsw: Hnsw, memory: str = "1GB") -> None:
    """The indexes `empty` dropped, built once over the rows written since (HNSW builds
    several times faster while its graph fits in `memory`: ~1.7 GB at 1M x 384, m = 16)."""
    terms = terms_table(table)
    connection.execute(text(f"SET LOCAL maintenance_work_mem = '{memory}'"))
    connection.execute(text(f"ALTER TABLE {terms} ADD PRIMARY KEY ({POSTINGS_KEY})"))
    connection.execute(text(f"CREATE INDEX {table}_terms_id ON {terms} (id)"))
    connection.execute(text(hnsw_index(table, hnsw)))
