"""The named dependencies' helpers, without an app."""

from __future__ import annotations

from fastapi import Response

from api.deps import Write, with_etag


def test_with_etag_tags_the_response_with_the_version_and_returns_the_body() -> None:
    response = Response()
    body = {"id": 1}
    assert with_etag(response, 7, body) is body
    assert response.headers["ETag"] == '"7"'


def test_a_write_passes_its_session_engine_user_and_version_on_to_the_service() -> None:
    """`apply` adds what every versioned write shares to what the route names itself."""
    session, engine, user = object(), object(), object()
    write = Write(session, engine, user, if_match=3, response=Response())  # type: ignore[arg-type]

    def service(**fields: object) -> dict[str, object]:
        return fields

    assert write.apply(service, challenge_id=5) == {
        "session": session,
        "engine": engine,
        "user": user,
        "if_match": 3,
        "challenge_id": 5,
    }
