"""Background jobs: the broker they go through and how hard they are tried."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, field_validator


class JobSettings(BaseModel):
    """None of it is needed on one machine: without a broker, jobs run in the asking process."""

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

    @field_validator("broker_url")
    @classmethod
    def _known_broker(cls, value: str | None) -> str | None:
        if value in (None, "", "none"):
            return None
        if not value.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
            raise ValueError("broker_url must be a redis:// or amqp:// URL")
        return value
