"""Property fuzzing of every route from the OpenAPI spec: no input may cause a server error."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import build_state, create_app
from klimatmatch.core.settings import Settings
from tests.api.conftest import make_world


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, dict[str, str]]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    app_settings = Settings(
        database_url=f"sqlite:///{path}", embedder="tfidf", upload_dir=path.parent / "uploads"
    )
    tokens, _ = make_world(app_settings.database_url)
    app = create_app(app_settings)
    app.state.klimatmatch = build_state(app_settings)
    return app, tokens


FUZZ = settings(
    max_examples=int(os.environ.get("KLIMATMATCH_FUZZ_EXAMPLES", "30")),
    derandomize=os.environ.get("KLIMATMATCH_FUZZ_RANDOM") != "1",
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
"""CI replays the same inputs (derandomised) so main stays green for a known reason; explore
new inputs with KLIMATMATCH_FUZZ_RANDOM=1 KLIMATMATCH_FUZZ_EXAMPLES=300 (pytest, this file)."""


def fuzz_every_operation(app: object, token: str) -> list[str]:
    """Runs Hypothesis over each operation of the spec; returns the server errors met."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    errors: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case) -> None:  # noqa: ANN001
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{case.query} {str(case.body)[:200]}"
                )

        run()
    return errors


@pytest.mark.parametrize("who", ["admin", "stockholm", "voltgrav"])
def test_no_input_causes_a_server_error(fuzz_world, who: str) -> None:  # noqa: ANN001
    app, tokens = fuzz_world
    assert fuzz_every_operation(app, tokens[who]) == []
