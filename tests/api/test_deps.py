"""The named dependencies' helpers, without an app."""

from __future__ import annotations

from fastapi import Response

from api.deps import with_etag


def test_with_etag_tags_the_response_with_the_version_and_returns_the_body() -> None:
    response = Response()
    body = {"id": 1}
    assert with_etag(response, 7, body) is body
    assert response.headers["ETag"] == '"7"'
