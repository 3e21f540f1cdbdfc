"""What every process of the pgvector backend must share besides the rows: the fitted BM25
(vocabulary, IDF) and the signature of the configuration the stored vectors were built with,
kept in `vector_state` and written in the same transaction as a rebuild's rows."""

from __future__ import annotations

import io
import pickle

from sqlalchemy import Connection, text

from matcher import MatchEngine
from matcher.embedders.bm25 import BM25Embedder


def signature(engine: MatchEngine) -> str:
    """What the stored vectors depend on besides the corpus: the models, BM25's settings and
    the layout (indexes from before the postings tables rebuild once to fill them)."""
    parts = [
        e.fingerprint if e.cacheable else getattr(e, "settings_key", e.fingerprint)
        for e in engine.channels.values()
    ]
    return " + ".join(parts) + (" + cpv" if engine.cpv else "") + " + postings"


def save(connection: Connection, engine: MatchEngine) -> None:
    """The engine's BM25 fit and signature, replacing what was stored (in the caller's
    transaction, so they change with the rows)."""
    lexical = engine.channels.get("lexical")
    state = {
        "signature": signature(engine),
        "bm25": lexical.export_state() if isinstance(lexical, BM25Embedder) else None,
    }
    buffer = io.BytesIO()
    pickle.dump(state, buffer)
    connection.execute(
        text(
            "INSERT INTO vector_state (key, value) VALUES ('index', :value) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
        ),
        {"value": buffer.getvalue()},
    )


def load(connection: Connection) -> dict | None:
    """What `save` stored (None: nothing yet)."""
    value = connection.scalar(text("SELECT value FROM vector_state WHERE key = 'index'"))
    return None if value is None else pickle.loads(value)  # noqa: S301 - our own table


def adopt(engine: MatchEngine, state: dict) -> None:
    """Query with the stored BM25 fit, so every process uses the stored weights' vocabulary."""
    if state["bm25"] is not None and "lexical" in engine.channels:
        engine.channels["lexical"] = BM25Embedder.import_state(*state["bm25"])
    set_widths(engine)


def set_widths(engine: MatchEngine) -> None:
    """Rows come back from the tables as wide as the engine's sparse channels."""
    widths = engine.companies.widths
    lexical = engine.channels.get("lexical")
    if lexical is not None:
        widths["lexical"] = lexical.dimension
    widths["cpv"] = engine.cpv_vectors.width
