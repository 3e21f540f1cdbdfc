"""Where the search index lives (each process, or pgvector tables) and how it is searched."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from klimatmatch.core.settings.database import psycopg_url


class IndexSettings(BaseModel):
    """The index backend, its approximate search and how replicas and snapshots follow it."""

    ann_threshold: int | None = Field(
        default=200_000, ge=1, description="From this many profiles on, dense search uses HNSW"
    )
    index_backend: Literal["memory", "pgvector"] = Field(
        default="memory",
        description="Where the index lives: 'memory' (a replica in every process, following "
        "the change log) or 'pgvector' (tables in the PostgreSQL database itself, written in "
        "the same transaction as the rows; processes hold no index)",
    )
    pgvector_ann_threshold: int | None = Field(
        default=20_000,
        ge=1,
        description="ann_threshold for the pgvector backend: from this many rows on, dense "
        "search uses HNSW and BM25 / CPV each term's heaviest postings. Lower than in-process: "
        "an exact scan in PostgreSQL costs ~1 ms per 1,000 rows (96 ms at 100k, 14 in-process)",
    )
    pgvector_ef_search: int = Field(
        default=200, ge=10, le=1000, description="hnsw.ef_search for the dense channel's query"
    )
    pgvector_hnsw_m: int = Field(
        default=16,
        ge=2,
        le=100,
        description="Links per node of the dense column's HNSW graph (recall, size and build "
        "time grow with it); a change is applied by `klimatmatch reindex`",
    )
    pgvector_hnsw_ef_construction: int = Field(
        default=128,
        ge=4,
        le=1000,
        description="Candidates kept while the HNSW graph is built (at least 2 x m)",
    )
    pgvector_postings_per_term: int = Field(
        default=1000,
        ge=10,
        description="From ann_threshold rows on, BM25 and CPV candidates come from each query "
        "term's heaviest postings only (impact order; candidates are still scored exactly)",
    )
    pgvector_read_url: str | None = Field(
        default=None,
        description="A PostgreSQL streaming replica of the database that the pgvector backend "
        "searches (shortlists, opportunities); writes and reads that must see them at once go "
        "to database_url. A profile reaches shortlists once the replica has replayed it "
        "(pg_stat_replication.replay_lag); default: search the primary",
    )
    vector_dimensions: int = Field(
        default=384, ge=1, le=16_000, description="The dense model's width (pgvector columns)"
    )
    replica_poll_seconds: float = Field(
        default=0.2,
        gt=0,
        le=60,
        description="How often a process looks for other processes' writes (PostgreSQL also "
        "wakes it at once with NOTIFY; SQLite relies on this)",
    )
    snapshot_dir: Path = Field(
        default=Path("var/snapshots"),
        description="Where processes find and write snapshots of the index (a fast start "
        "instead of a rebuild from rows); one folder per machine, or shared by several",
    )
    snapshots: bool = Field(
        default=True, description="Start from the newest valid snapshot; write one after a rebuild"
    )

    @field_validator("pgvector_read_url")
    @classmethod
    def _postgres_replica(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith("postgresql"):
            raise ValueError("a replica to search must be a postgresql:// URL")
        return psycopg_url(value)

    @model_validator(mode="after")
    def _buildable_and_searchable(self) -> Self:
        if self.pgvector_hnsw_ef_construction < 2 * self.pgvector_hnsw_m:
            raise ValueError(
                "pgvector_hnsw_ef_construction must be at least twice pgvector_hnsw_m "
                f"({self.pgvector_hnsw_ef_construction} < 2 x {self.pgvector_hnsw_m})"
            )
        if self.pgvector_read_url and self.index_backend != "pgvector":
            raise ValueError(
                "pgvector_read_url is set but index_backend is not pgvector: only that backend "
                "searches a replica (in-process replicas follow the change log)"
            )
        return self
