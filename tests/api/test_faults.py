"""Faults: the model missing, the database gone and back, a reindex that crashes."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from klimatmatch.core.settings import Settings
from klimatmatch.index import indexing
from matcher import create_embedder
from tests.api.conftest import make_world
from tests.conftest import POSTGRES_URL, reset_postgres


def test_a_model_that_fails_to_load_leaves_the_service_on_the_lexical_channel(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'd.db'}", model=str(tmp_path / "nope"))
    tokens, ids = make_world(settings.database_url)
    with TestClient(create_app(settings)) as client:
        staff = {"Authorization": f"Bearer {tokens['admin']}"}
        health = client.get("/health", headers=staff).json()
        assert health["status"] == "degraded" and "failed to load" in health["detail"]
        assert "dense" not in health["channel"] and "lexical" in health["channel"]
        shortlist = client.get(
            f"/challenges/{ids['sth_published']}/shortlist?k=3",
            headers={"Authorization": f"Bearer {tokens['stockholm']}"},
        )
        assert shortlist.status_code == 200 and len(shortlist.json()["results"]) == 3


class Proxy:
    """A TCP proxy to PostgreSQL that a test can cut and restore: a real network fault."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self) -> None:
        self.up = False
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.connections.clear()

    def restore(self) -> None:
        self.up = True


@pytest.fixture
def proxied_postgres() -> Iterator[tuple[str, Proxy]]:
    reset_postgres().dispose()
    proxy = Proxy(("127.0.0.1", 5432))
    yield POSTGRES_URL.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"), proxy
    proxy.listener.close()
    reset_postgres().dispose()


def test_database_outage_gives_503_and_recovers_without_restart(proxied_postgres) -> None:  # noqa: ANN001
    url, proxy = proxied_postgres
    tokens, ids = make_world(url)
    auth = {"Authorization": f"Bearer {tokens['stockholm']}"}
    with TestClient(create_app(Settings(database_url=url, embedder="tfidf"))) as client:
        assert client.get(f"/challenges/{ids['sth_published']}", headers=auth).status_code == 200
        proxy.cut()
        down = client.get(f"/challenges/{ids['sth_published']}", headers=auth)
        assert down.status_code == 503
        assert "database is unavailable" in down.json()["detail"]
        assert down.headers["retry-after"] == "5"
        health = client.get("/health")  # what a load balancer asks, without a token
        assert health.status_code == 503 and health.json()["status"] == "down"
        post = client.post(
            "/challenges",
            headers=auth,
            json={"title": "Under outage", "description": "Should not be lost."},
        )
        assert post.status_code == 503
        proxy.restore()
        assert client.get(f"/challenges/{ids['sth_published']}", headers=auth).status_code == 200
        assert client.get("/health").json()["status"] == "ok"
        again = client.post(
            "/challenges",
            headers=auth,
            json={"title": "After outage", "description": "Stored this time."},
        )
        assert again.status_code == 201


class BrokenAfter:
    """A real BM25 channel that raises after `calls` encodings: a crash in the middle of a
    reindex."""

    def __init__(self, calls: int) -> None:
        self.inner = create_embedder("bm25")
        self.calls = calls
        self.cacheable, self.channel = False, "lexical"

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.inner, name)

    def __deepcopy__(self, memo: dict) -> BrokenAfter:
        return self

    def encode_documents(self, texts, progress=None):  # noqa: ANN001, ANN201
        self.calls -= 1
        if self.calls < 0:
            raise RuntimeError("disk full")
        return self.inner.encode_documents(texts, progress)


def test_a_crash_during_reindex_leaves_the_previous_index_serving(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", embedder="tfidf")
    tokens, ids = make_world(settings.database_url)
    with TestClient(create_app(settings)) as client:
        state = client.app.state.klimatmatch
        auth = {"Authorization": f"Bearer {tokens['coordinator']}"}
        before = client.get(f"/challenges/{ids['sth_published']}/shortlist?k=5", headers=auth)
        original = state.engine.channels["lexical"]
        broken = BrokenAfter(calls=0)
        state.engine.channels["lexical"] = broken
        with state.sessions() as session, pytest.raises(RuntimeError, match="disk full"):
            indexing.rebuild(session=session, engine=state.engine)
        assert state.engine.channels["lexical"] is broken  # the failed rebuild swapped nothing
        state.engine.channels["lexical"] = original
        after = client.get(f"/challenges/{ids['sth_published']}/shortlist?k=5", headers=auth)
        assert after.status_code == 200
        assert [r["company_id"] for r in after.json()["results"]] == [
            r["company_id"] for r in before.json()["results"]
        ]
        assert len(state.engine.companies) == 155
