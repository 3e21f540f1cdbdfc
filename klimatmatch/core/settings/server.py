"""The HTTP service: where it listens, what it accepts and the address people reach it at."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ServerSettings(BaseModel):
    """`klimatmatch serve` and the limits on what a request may send."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    worker_healthcheck_seconds: int = Field(
        default=30,
        ge=1,
        description="`serve --workers N`: how long a worker may take to answer the supervisor "
        "before it is restarted (uvicorn's 5 s restarted starting workers in a loop on a "
        "busy machine: importing the app held them past it)",
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    max_upload_bytes: int = Field(
        default=200_000_000,
        ge=1_000,
        description="Largest file `POST /jobs/import` accepts (other bodies: max_body_bytes)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="Where people reach the pages; links in e-mails start with it",
    )
