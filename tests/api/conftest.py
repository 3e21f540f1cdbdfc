"""A running app over a seeded SQLite file, and a token per kind of user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from klimatmatch.accounts.service import create_user
from klimatmatch.catalogue.importing import import_file
from klimatmatch.core.settings import Settings
from models import Role, create_db_engine, crud, session_factory
from models.migrate import upgrade
from tests.conftest import SAMPLE


def seed(url: str) -> None:
    db = create_db_engine(url)
    upgrade(db)
    with session_factory(db)() as session:
        for name in ("challenges.csv", "companies.csv"):
            import_file(session=session, path=SAMPLE / name)
        session.commit()
    db.dispose()


@dataclass
class World:
    """Tokens and ids the access tests need: two cities, two companies, a coordinator, an admin."""

    client: TestClient
    tokens: dict[str, str]
    ids: dict[str, int]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who != "anonymous" else {}

    def get(self, path: str, who: str, **kwargs):  # noqa: ANN201, ANN003
        return self.client.get(path, headers=self.auth(who), **kwargs)

    def post(self, path: str, who: str, **kwargs):  # noqa: ANN201, ANN003
        return self.client.post(path, headers=self.auth(who), **kwargs)

    def patch(self, path: str, who: str, headers: dict | None = None, **kwargs):  # noqa: ANN201, ANN003
        return self.client.patch(path, headers={**self.auth(who), **(headers or {})}, **kwargs)

    def delete(self, path: str, who: str, **kwargs):  # noqa: ANN201, ANN003
        return self.client.delete(path, headers=self.auth(who), **kwargs)


def credentials(who: str) -> dict[str, str]:
    """The e-mail and password each of the world's people signs in to the pages with."""
    return {"email": f"{who}@example.org", "password": f"{who} has a long password"}


def make_world(url: str) -> tuple[dict[str, str], dict[str, int]]:
    seed(url)
    db = create_db_engine(url)
    tokens: dict[str, str] = {}
    with session_factory(db)() as session:
        for who, role, org in [
            ("stockholm", Role.CITY, "Stockholm"),
            ("malmo", Role.CITY, "Malmö"),
            ("voltgrav", Role.COMPANY, "Voltgräv AB"),
            ("sitecharge", Role.COMPANY, "SiteCharge Nordic"),
            ("coordinator", Role.COORDINATOR, "Nordic Solutions for C40"),
            ("admin", Role.ADMIN, None),
        ]:
            _, tokens[who] = create_user(
                session=session, name=who, role=role, organisation=org, **credentials(who)
            )
        ids = {
            "sth_published": crud.challenge_by_external_id(
                session=session, external_id="STH-01"
            ).id,
            "sth_draft": crud.challenge_by_external_id(session=session, external_id="STH-05").id,
            "mal_published": crud.challenge_by_external_id(
                session=session, external_id="MAL-01"
            ).id,
            "voltgrav": crud.company_by_external_id(session=session, external_id="CO-001").id,
            "sitecharge": crud.company_by_external_id(session=session, external_id="CO-002").id,
        }
        session.commit()
    db.dispose()
    return tokens, ids


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path: Path = tmp_path_factory.mktemp("api") / "api.db"
    settings = Settings(database_url=f"sqlite:///{path}", embedder="tfidf")
    tokens, ids = make_world(settings.database_url)
    with TestClient(create_app(settings)) as client:
        yield World(client, tokens, ids)
