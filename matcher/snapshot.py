"""Snapshots of an engine's index on disk, so a process starts in seconds instead of re-reading,
re-tagging and re-fitting every row.

A snapshot is a folder written under a temporary name and renamed when complete (atomic on one
file system): each side's documents, each channel's rows (`.npy` dense, `.npz` sparse), the
state of the channels fitted on the corpus (BM25), HNSW graphs, and a manifest with the sha256
of every file, the engine's signature and what the caller says it covers (a data version, a
database). `load` refuses a snapshot whose signature or checksums differ; deciding whether it is
stale is the caller's business, since only the caller knows the data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matcher.analysis
import matcher.cpv
import matcher.documents
import matcher.embedders.bm25
import matcher.embedders.tfidf
import matcher.text
from matcher.ann import HnswIndex
from matcher.engine import MatchEngine, Side
from matcher.index import ExactIndex
from matcher.snapshot_files import (
    Reader,
    SnapshotError,
    fsync_folder,
    read_documents,
    sha256,
    write_documents,
    write_file,
    write_matrix,
)

FORMAT = 1
MANIFEST = "manifest.json"
SIDES: tuple[Side, ...] = ("challenge", "company")
ANALYSIS_MODULES = (matcher.analysis, matcher.text, matcher.cpv, matcher.documents)
FITTED_MODULES = (matcher.embedders.bm25, matcher.embedders.tfidf)


@dataclass(frozen=True)
class Snapshot:
    folder: Path
    manifest: dict[str, Any]

    @property
    def meta(self) -> dict[str, Any]:
        return self.manifest.get("meta", {})


def source_digest(*modules: Any) -> str:
    """sha256 of modules' source: code that shapes the index's contents, so a snapshot made
    by other code (another tokeniser, stop list or tagger) is rebuilt, not served."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def signature(engine: MatchEngine) -> dict[str, Any]:
    """What an index's contents depend on besides the data: the models (fingerprints), the
    corpus-fitted channels' settings, CPV tagging and the text analysis code."""
    channels = {
        name: e.fingerprint if e.cacheable else getattr(e, "settings_key", type(e).__qualname__)
        for name, e in engine.channels.items()
    }
    cpv = None
    if engine.cpv is not None:
        cpv = {
            "codes": len(engine.cpv.codes),
            "max_codes": engine.cpv.max_codes,
            "min_score": engine.cpv.min_score,
            "width": engine.cpv_vectors.width,
            "depth_weight": engine.cpv_vectors.depth_weight,
        }
    return {
        "channels": channels,
        "cpv": cpv,
        "analysis": source_digest(*ANALYSIS_MODULES, *FITTED_MODULES),
    }


def save(
    engine: MatchEngine, root: Path, meta: Mapping[str, Any], extra_signature: str = ""
) -> Snapshot:
    """Write the engine's index as a new snapshot folder under `root`; returns it.

    Arrays are copied under the engine's lock (and graphs written there, since they change
    with the index), files are written after it is released."""
    reason = unsavable(engine)
    if reason:
        raise SnapshotError(reason)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        files: dict[str, str] = {}
        with engine.locked():
            exported = {side: _index(engine, side).export() for side in SIDES}
            states = {
                name: e.export_state() for name, e in engine.channels.items() if not e.cacheable
            }
            for side, (_, _, graphs) in exported.items():
                for channel, graph in graphs.items():
                    name = f"{side}.{channel}.hnsw"
                    graph.save(str(staging / name))
                    files[name] = sha256(staging / name)
        counts = {}
        for side, (documents, vectors, _) in exported.items():
            counts[side] = len(documents)
            files.update(write_documents(staging, side, documents))
            for channel, matrix in vectors.items():
                files.update(write_matrix(staging, f"{side}.{channel}", matrix))
        for channel, (state, arrays) in states.items():
            files.update(write_file(staging, f"fitted.{channel}.json", json.dumps(state).encode()))
            for key, array in arrays.items():
                files.update(write_matrix(staging, f"fitted.{channel}.{key}", array))
        created = datetime.now(UTC)
        manifest = {
            "format": FORMAT,
            "signature": {**signature(engine), "extra": extra_signature},
            "meta": dict(meta),
            "counts": counts,
            "files": files,
            "created_at": created.isoformat(),
        }
        write_file(staging, MANIFEST, json.dumps(manifest, indent=1).encode())
        version = int(meta.get("data_version", 0))
        final = root / f"v{version:012d}-{created:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        os.rename(staging, final)
        fsync_folder(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Snapshot(final, manifest)


def unsavable(engine: MatchEngine) -> str | None:
    """Why the engine's index cannot be saved (a fitted channel with no saved form), or None."""
    for name, embedder in engine.channels.items():
        if not embedder.cacheable and not callable(getattr(type(embedder), "import_state", None)):
            return f"channel {name!r} ({type(embedder).__name__}) cannot be saved"
    return None


def available(root: Path) -> list[Snapshot]:
    """Complete snapshots under `root` with a readable manifest, newest data first."""
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict):
            found.append(Snapshot(folder, manifest))
    return sorted(
        found,
        key=lambda s: (int(s.meta.get("data_version", 0)), s.manifest.get("created_at", "")),
        reverse=True,
    )


def refusal(engine: MatchEngine, snapshot: Snapshot, extra_signature: str = "") -> str | None:
    """Why the snapshot cannot serve this engine (format or signature), or None."""
    if snapshot.manifest.get("format") != FORMAT:
        return f"format {snapshot.manifest.get('format')!r}, this code reads {FORMAT}"
    expected = {**signature(engine), "extra": extra_signature}
    if snapshot.manifest.get("signature") != expected:
        theirs = snapshot.manifest.get("signature") or {}
        differs = sorted(k for k in expected if theirs.get(k) != expected[k])
        return f"made with another {', '.join(differs) or 'signature'}"
    return None


def load(engine: MatchEngine, snapshot: Snapshot, extra_signature: str = "") -> None:
    """Replace the engine's index with the snapshot's; the engine is unchanged on error."""
    reason = refusal(engine, snapshot, extra_signature)
    if reason:
        raise SnapshotError(f"{snapshot.folder.name}: {reason}")
    reader = Reader(snapshot.folder, snapshot.manifest)
    staged = engine.spawn()
    for name, embedder in list(staged.channels.items()):
        if not embedder.cacheable:
            state = json.loads(reader.read(f"fitted.{name}.json"))
            arrays = {
                key: reader.matrix(f"fitted.{name}.{key}")
                for key in reader.keys(f"fitted.{name}.", ".npy")
            }
            staged.channels[name] = type(embedder).import_state(state, arrays)
    for side in SIDES:
        documents = read_documents(reader, side)
        channels = [*staged.channels, *(["cpv"] if staged.cpv is not None else [])]
        vectors = {c: reader.matrix(f"{side}.{c}") for c in channels if documents}
        index = _index(staged, side)
        graphs = {}
        for channel in channels:
            name = f"{side}.{channel}.hnsw"
            if name in reader.files and documents:
                reader.verify(name)
                dimension = vectors[channel].shape[1]
                graphs[channel] = HnswIndex.load(
                    str(snapshot.folder / name), dimension, capacity=2 * len(documents)
                )
        index.restore(documents, vectors, graphs)
    engine.adopt(staged)


def prune(root: Path, keep: int = 2, min_age_seconds: float = 600) -> int:
    """Remove all but the newest `keep` snapshots (and abandoned temporary folders); ones
    younger than `min_age_seconds` stay, as another process may be reading them."""
    now = time.time()
    removed = 0
    doomed = [s.folder for s in available(root)[keep:]]
    if root.is_dir():
        doomed += [f for f in root.iterdir() if f.name.startswith(".tmp-") and f.is_dir()]
    for folder in doomed:
        if now - folder.stat().st_mtime >= min_age_seconds:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _index(engine: MatchEngine, side: Side) -> ExactIndex:
    """The side's index, which must be the in-process one: only it has rows to save."""
    index = engine.index(side)
    if not isinstance(index, ExactIndex):
        raise SnapshotError(f"the {side} index is not held in this process: nothing to save")
    return index
