"""Snapshots: a restored engine ranks exactly as the one saved; anything off is refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import Document, Embedder, MatchEngine, create_embedder
from matcher.cpv import CpvTagger, load_cpv
from matcher.embedders.tfidf import TfidfEmbedder
from matcher.snapshot import SnapshotError, available, load, prune, refusal, save

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def tagger() -> CpvTagger:
    return CpvTagger(load_cpv(DATA / "taxonomies" / "cpv2008_en_sv_da_fi.csv"))


def sample() -> tuple[list[Document], list[Document]]:
    challenges = pd.read_csv(DATA / "sample" / "challenges.csv").fillna("")
    companies = pd.read_csv(DATA / "sample" / "companies.csv", dtype=str).fillna("")
    return (
        [
            Document(i, f"{r.title}. {r.description}", {"language": r.language})
            for i, r in enumerate(challenges.itertuples(), start=1)
        ],
        [
            Document(
                i,
                f"{r.name}. {r.description}",
                {"language": r.language, "country": r.country.lower()},
                tuple(c for c in r.cpv_codes.split(";") if c),
            )
            for i, r in enumerate(companies.itertuples(), start=1)
        ],
    )


_ENCODED: dict[tuple[int, str], np.ndarray] = {}


def built(dense: Embedder, tagger: CpvTagger, ann_threshold: int | None = None) -> MatchEngine:
    """The sample indexed by the real model (its vectors computed once per model)."""
    engine = empty_like(dense, tagger, ann_threshold)
    challenges, companies = sample()
    engine.fit([d.text for d in challenges + companies])
    for side, documents in (("challenge", challenges), ("company", companies)):
        prepared = engine.prepare(documents)
        key = (id(dense), side)
        if key not in _ENCODED:
            _ENCODED[key] = engine.encode(side, prepared)["dense"]
        engine.upsert(side, prepared, engine.encode(side, prepared, {"dense": _ENCODED[key]}))
    return engine


def empty_like(dense: Embedder, tagger: CpvTagger, ann_threshold: int | None = None) -> MatchEngine:
    return MatchEngine(
        {"dense": dense, "lexical": create_embedder("bm25")},
        cpv=tagger,
        ann_threshold=ann_threshold,
    )


def rankings(engine: MatchEngine) -> dict[int, list[tuple[int, float]]]:
    return {
        d.id: [(m.document.id, m.score) for m in engine.shortlist(d.id, 10, explain=False)]
        for d in engine.challenges.documents
    }


@pytest.mark.parametrize("ann_threshold", [None, 10])
def test_a_restored_engine_ranks_as_the_saved_one(
    e5: Embedder, tagger: CpvTagger, tmp_path: Path, ann_threshold: int | None
) -> None:
    original = built(e5, tagger, ann_threshold)
    snapshot = save(original, tmp_path, {"data_version": 7})
    restored = empty_like(e5, tagger, ann_threshold)
    load(restored, snapshot)
    assert len(restored.companies) == len(original.companies) > 10
    assert rankings(restored) == rankings(original)
    assert restored.companies.approximate_channels == original.companies.approximate_channels
    # the fitted BM25 channel came back: a new profile is encoded with its vocabulary
    new = restored.prepare([Document(999, "Laddinfrastruktur för tunga fordon", {})])
    vectors = restored.encode("company", new)
    assert vectors["lexical"].nnz > 0
    restored.upsert("company", new, vectors)
    assert 999 in restored.companies
    assert available(tmp_path)[0].meta == {"data_version": 7}


def test_a_corrupt_file_is_refused_and_the_engine_keeps_its_index(
    e5: Embedder, tagger: CpvTagger, tmp_path: Path
) -> None:
    snapshot = save(built(e5, tagger), tmp_path, {"data_version": 1})
    vectors = snapshot.folder / "company.dense.npy"
    data = bytearray(vectors.read_bytes())
    data[-5] ^= 0xFF
    vectors.write_bytes(bytes(data))
    engine = built(e5, tagger)
    before = rankings(engine)
    with pytest.raises(SnapshotError, match="company.dense.npy is corrupt"):
        load(engine, snapshot)
    assert rankings(engine) == before


def test_a_snapshot_of_another_engine_is_refused(
    e5: Embedder, tagger: CpvTagger, tmp_path: Path
) -> None:
    snapshot = save(built(e5, tagger), tmp_path, {"data_version": 1})
    other = MatchEngine({"dense": e5, "lexical": create_embedder("bm25", b=0.5)}, cpv=tagger)
    assert "channels" in (refusal(other, snapshot) or "")
    assert refusal(empty_like(e5, tagger), snapshot) is None
    assert "extra" in (refusal(empty_like(e5, tagger), snapshot, "indexing:v2") or "")
    manifest = json.loads((snapshot.folder / "manifest.json").read_text())
    manifest["format"] = 99
    (snapshot.folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="format 99"):
        load(empty_like(e5, tagger), available(tmp_path)[0])


class Unsaved(TfidfEmbedder):
    """A corpus-fitted channel with no saved form."""

    import_state = None


def tfidf_engine(embedder: Embedder) -> MatchEngine:
    """The sample on one corpus-fitted channel (no model to load)."""
    engine = MatchEngine({embedder.channel: embedder})
    challenges, companies = sample()
    engine.fit([d.text for d in challenges + companies])
    engine.upsert("challenge", challenges, engine.encode("challenge", challenges))
    engine.upsert("company", companies, engine.encode("company", companies))
    return engine


def test_the_model_free_backend_is_saved_too(tmp_path: Path) -> None:
    original = tfidf_engine(TfidfEmbedder())
    restored = MatchEngine({"tfidf": TfidfEmbedder()})
    load(restored, save(original, tmp_path, {"data_version": 1}))
    assert rankings(restored) == rankings(original)
    assert restored.embedder.fingerprint == original.embedder.fingerprint


@pytest.mark.parametrize("channel", ["bm25", "tfidf"])
def test_a_restored_engine_saves_again_before_it_encodes_anything(
    tmp_path: Path, channel: str
) -> None:
    def empty() -> MatchEngine:
        embedder = create_embedder(channel)
        return MatchEngine({embedder.channel: embedder})

    original = tfidf_engine(create_embedder(channel))
    restored = empty()
    load(restored, save(original, tmp_path / "first", {"data_version": 1}))
    again = empty()
    load(again, save(restored, tmp_path / "second", {"data_version": 1}))
    assert rankings(again) == rankings(original)


def test_a_failed_save_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot be saved"):
        save(tfidf_engine(Unsaved()), tmp_path, {"data_version": 1})
    assert list(tmp_path.iterdir()) == []


def test_prune_keeps_the_newest(e5: Embedder, tagger: CpvTagger, tmp_path: Path) -> None:
    engine = built(e5, tagger)
    for version in (3, 1, 2):
        save(engine, tmp_path, {"data_version": version})
    (tmp_path / ".tmp-abandoned").mkdir()
    assert prune(tmp_path, keep=2, min_age_seconds=3600) == 0  # all too young to remove
    assert prune(tmp_path, keep=2, min_age_seconds=0) == 2
    assert [s.meta["data_version"] for s in available(tmp_path)] == [3, 2]
    assert sorted(p.name.startswith(".tmp-") for p in tmp_path.iterdir()) == [False, False]


def test_exported_rows_are_copies(e5: Embedder, tagger: CpvTagger) -> None:
    engine = built(e5, tagger)
    _, vectors, _ = engine.companies.export()
    vectors["dense"][:] = 0
    assert np.abs(engine.companies.vectors(1)["dense"]).sum() > 0
