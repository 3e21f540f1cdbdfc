"""Hardening headers on every response: a Content-Security-Policy, no MIME sniffing, no framing,
no referrer to other sites.

Pure ASGI, added outermost, so refusals made by other middleware (413, 500) carry them too. The
pages need nothing inline (one script and one style sheet from /ui/static), so their policy
allows only this origin; FastAPI's /docs and /redoc draw themselves with inline script from a
CDN and get their own policy from `POLICIES`, looked up by exact path."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDN}; "
    f"style-src 'self' 'unsafe-inline' {CDN} https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; worker-src blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Swagger UI and ReDoc: their bundles and fonts from CDNs, inline start-up script and styles;
the pages they draw hold only our own OpenAPI document, never anyone's data."""

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    # same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with a
    # same-origin form, and the pages' origin check needs the real one
    "Referrer-Policy": "same-origin",
}


def docs_policies(*paths: str | None) -> dict[str, str]:
    """The policy registry entries for FastAPI's documentation pages (a None path is off)."""
    return {path: DOCS_POLICY for path in paths if path}


class SecurityHeaders:
    """Adds `COMMON` and the path's policy to every HTTP response; a header the route set
    itself (a stricter Referrer-Policy on a page with a token in its URL) is kept."""

    def __init__(
        self, app: ASGIApp, policies: Mapping[str, str] | None = None, default: str = PAGES_POLICY
    ) -> None:
        self.app = app
        self.policies = dict(policies or {})
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope.get("path", ""), self.default)
        extra = {"Content-Security-Policy": policy, **COMMON}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name.lower().encode(), value.encode())
                    for name, value in extra.items()
                    if name.lower().encode() not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
