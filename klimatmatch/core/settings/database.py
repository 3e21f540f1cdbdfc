"""Where the rows live: the database URL and the project's data folder."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field, field_validator

PROJECT_DATA = Path(__file__).resolve().parents[3] / "data"


class DatabaseSettings(BaseModel):
    """`KLIMATMATCH_DATABASE_URL` (or plain `DATABASE_URL`, as hosting platforms set it)."""

    database_url: str = Field(
        default="sqlite:///var/klimatmatch.db",
        validation_alias=AliasChoices("KLIMATMATCH_DATABASE_URL", "DATABASE_URL"),
    )
    data_dir: Path = PROJECT_DATA

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return psycopg_url(value)

    @property
    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite URL, so its folder can be created before first use."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix) or ":memory:" in self.database_url:
            return None
        return Path(self.database_url.removeprefix(prefix))


def psycopg_url(url: str) -> str:
    """postgresql:// names the driver SQLAlchemy uses here (psycopg 3)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url
