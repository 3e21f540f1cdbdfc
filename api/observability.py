"""What operators expect to see: a request id in every log line and problem response, and
Prometheus metrics (requests, latency, index size) for a scraper.

Built on `prometheus-client` (the Prometheus project's own library): one registry per app, so
tests and several apps in one process never share counters.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.log_redaction import RedactSecrets
from klimatmatch.jobs.store import count_by_state
from models import JobState

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_id: ContextVar[str] = ContextVar("request_id", default="-")
"""The id of the request being served ("-" outside a request: start-up, CLI)."""

log = logging.getLogger("klimatmatch.api")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so a format can print it on every line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": RequestIdFilter}, "redact": {"()": RedactSecrets}},
    "formatters": {"plain": {"format": LOG_FORMAT}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "redact"],
        }
    },
    "loggers": {
        name: {"handlers": ["stderr"], "level": "INFO", "propagate": False, "filters": ["redact"]}
        for name in ("klimatmatch", "uvicorn", "uvicorn.error", "uvicorn.access")
    },
}
"""uvicorn's `log_config` for `klimatmatch serve`: one format, the request id on every line,
link tokens and e-mail addresses redacted (api/log_redaction.py) on every line too: on the
handler for what child loggers pass up, on the loggers for any handler added to them."""


class Metrics:
    """The service's counters, in a registry of their own."""

    def __init__(self, state: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "klimatmatch_http_requests",
            "HTTP requests served, by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "klimatmatch_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(IndexCollector(state))
        self.registry.register(JobsCollector(state))


class IndexCollector(Collector):
    """Read at scrape time from the live engine: what the index holds and which model."""

    def __init__(self, state: Callable[[], Any]) -> None:
        self._state = state

    def collect(self) -> Iterator[Any]:
        state = self._state()
        if state is None:  # not started yet
            return
        engine = state.engine
        documents = GaugeMetricFamily(
            "klimatmatch_index_documents", "Documents in this process's index", labels=["side"]
        )
        documents.add_metric(["challenge"], len(engine.challenges))
        documents.add_metric(["company"], len(engine.companies))
        yield documents
        degraded = GaugeMetricFamily(
            "klimatmatch_degraded", "1 when the engine runs with fewer channels than configured"
        )
        degraded.add_metric([], 1.0 if engine.degraded else 0.0)
        yield degraded
        follower = state.follower
        applied = GaugeMetricFamily(
            "klimatmatch_replica_applied_version", "The newest write this index reflects"
        )
        applied.add_metric([], float(follower.applied))
        yield applied
        lag = GaugeMetricFamily(
            "klimatmatch_replica_lag_versions",
            "Writes in the database this index has not applied yet (as of the last look)",
        )
        lag.add_metric([], float(follower.lag))
        yield lag
        info = InfoMetricFamily("klimatmatch_engine", "The engine's model and channels")
        info.add_metric(
            [], {"model": engine.embedder.fingerprint, "channels": ",".join(engine.channels)}
        )
        yield info


class JobsCollector(Collector):
    """The job queue's depth, read from the jobs table at scrape time: the same figure from
    every process, whichever broker carries the messages."""

    def __init__(self, state: Callable[[], Any]) -> None:
        self._state = state

    def collect(self) -> Iterator[Any]:
        state = self._state()
        if state is None:
            return
        with state.sessions() as session:
            counts = count_by_state(session=session)
        jobs = GaugeMetricFamily("klimatmatch_jobs", "Jobs waiting or running", labels=["state"])
        for name in ("queued", "running"):
            jobs.add_metric([name], float(counts[JobState(name)]))
        yield jobs


class RequestContext:
    """Pure ASGI middleware: gives each request an id (the caller's `X-Request-ID` when it is
    a sane token, else a new one), returns it as a header, and counts and times the request
    under its route template (never the raw path, which would explode the label set)."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, on_error: Callable[[], ASGIApp] | None = None
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.on_error = on_error
        """The response for an unhandled error, sent here so that it still carries the id
        (Starlette's outermost error middleware would send it after the id is gone)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode(), b"").decode()
        rid = given if _ACCEPTED_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500  # until a response starts: an error before it is a 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.lower().encode(), rid.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if self.on_error is None or status != 500:
                raise
            log.exception("unhandled error")
            await self.on_error()(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)
            request_id.reset(token)
