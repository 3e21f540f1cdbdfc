"""Request ids in headers, problem responses and log lines; Prometheus metrics for admins."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.observability import RequestIdFilter
from klimatmatch.core.settings import Settings
from tests.api.conftest import World, make_world


def test_every_response_has_a_request_id_and_problems_repeat_it(world: World) -> None:
    fresh = world.get("/health", "anonymous")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
    assert (
        world.get("/health", "anonymous").headers["x-request-id"] != fresh.headers["x-request-id"]
    )
    missing = world.client.get(
        "/challenges/999999", headers={**world.auth("coordinator"), "X-Request-ID": "trace-42"}
    )
    assert missing.status_code == 404
    assert (
        missing.headers["x-request-id"] == "trace-42" and missing.json()["request_id"] == "trace-42"
    )
    invalid = world.get("/challenges/0", "coordinator")
    assert invalid.status_code == 422
    assert invalid.json()["request_id"] == invalid.headers["x-request-id"]
    hostile = world.client.get("/health", headers={"X-Request-ID": 'x" onload=alert(1)'})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])  # replaced, not echoed


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("stockholm", 403),
        ("voltgrav", 403),
        ("coordinator", 403),
        ("admin", 200),
    ],
)
def test_only_administrators_read_metrics(world: World, who: str, status: int) -> None:
    assert world.get("/metrics", who).status_code == status


def test_metrics_count_requests_by_route_template_and_report_the_index(world: World) -> None:
    challenge = world.ids["sth_published"]
    for _ in range(3):
        assert world.get(f"/challenges/{challenge}", "coordinator").status_code == 200
    world.get("/no/such/path", "anonymous")
    text = world.get("/metrics", "admin").text
    counted = re.search(
        r'klimatmatch_http_requests_total\{method="GET",route="/challenges/\{challenge_id\}",'
        r'status="200"\} (\d+)',
        text,
    )
    assert counted is not None and int(counted.group(1)) >= 3
    assert f"/challenges/{challenge}" not in text  # templates, never raw paths
    assert 'route="unmatched",status="404"' in text
    assert 'klimatmatch_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text
    health = world.get("/health", "admin").json()
    assert (
        f'klimatmatch_index_documents{{side="company"}} {float(health["indexed_companies"])}'
        in text
    )
    assert "klimatmatch_degraded 0.0" in text and "klimatmatch_engine_info{" in text


def test_an_unexpected_error_is_logged_and_answered_with_the_same_id(
    tmp_path,
    caplog: pytest.LogCaptureFixture,  # noqa: ANN001
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'app.db'}", embedder="tfidf")
    make_world(settings.database_url)
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        logging.getLogger("klimatmatch.api").warning("about to fail")
        raise RuntimeError("bug")

    caplog.handler.addFilter(RequestIdFilter())
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "incident-7"})
    assert response.status_code == 500 and response.headers["x-request-id"] == "incident-7"
    assert response.json()["request_id"] == "incident-7" and "bug" not in response.text
    ids = {r.request_id for r in caplog.records if r.name == "klimatmatch.api"}
    assert ids == {"incident-7"}
    assert any(r.exc_info for r in caplog.records if r.levelno == logging.ERROR)
