"""Forms that sign a person in (sign-in, and the reset, invitation and registration links) as a
browser fills them: their pre-session token comes from the page itself."""

from __future__ import annotations

import re

import httpx


def pre_session_token(client: httpx.Client, page: str = "/ui/sign-in") -> str:
    """Opens `page` (which gives the client its pre-session cookie) and reads the token out of
    its form."""
    answer = client.get(page)
    found = re.search(r'<input type="hidden" name="csrf" value="([0-9a-f]{64})">', answer.text)
    assert found, answer.text[:500]
    return found.group(1)


def with_pre_session(
    client: httpx.Client, data: dict[str, str], page: str = "/ui/sign-in"
) -> dict[str, str]:
    """`data` for a form that signs a person in, with the token the form would carry (any
    such page gives the same token for the same pre-session cookie)."""
    return {**data, "csrf": pre_session_token(client, page)}
