"""Sign-in and the links sent by e-mail: how long they last, and whom the service believes."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode


class SecuritySettings(BaseModel):
    """Sessions, sign-in limits, link lifetimes, cookies and trusted reverse proxies."""

    secure_cookies: bool = Field(
        default=False, description="Mark the pages' sign-in cookie Secure (serve over HTTPS)"
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
