"""A real uvicorn server in a thread, for tests that need the service on a real port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn


@contextmanager
def running(config: uvicorn.Config, *, start_seconds: float = 120) -> Iterator[uvicorn.Server]:
    """Serves `config` until the block ends (the model and index load before `started`)."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_seconds
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the server did not start", pytrace=False)
        time.sleep(0.05)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)
