"""Channels that cannot judge a pair abstain: BM25 across languages, an English-only model
beside a multilingual one, the CPV channel where nothing is declared."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher import Document, MatchEngine, create_embedder
from matcher.cpv import CpvCode, CpvTagger

TOPICS = ("charg", "ladd", "plast", "heat", "värme")


class Keywords:
    """A small, deterministic dense model: one dimension per topic stem (a fake, not a mock:
    it meets the Embedder protocol and computes real vectors)."""

    cacheable = True
    channel = "dense"
    is_fitted = True

    def __init__(self, topics: dict[str, int], languages: frozenset[str] | None = None) -> None:
        self.topics = topics
        self.languages = languages
        self.fingerprint = f"keywords:{sorted(topics.items())}"

    @property
    def dimension(self) -> int:
        return max(self.topics.values()) + 2

    def fit(self, corpus: Sequence[str]) -> Keywords:
        return self

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for stem, dim in self.topics.items():
                rows[i, dim] += text.lower().count(stem)
            rows[i, -1] = 0.1
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    encode_queries = encode_documents = lambda self, texts, progress=None: self._encode(texts)  # noqa: E731


MULTILINGUAL = {"charg": 0, "ladd": 0, "plast": 1, "heat": 2, "värme": 2}
PROFILES = [
    Document(1, "We build fast charging hubs for electric trucks.", {"language": "en"}),
    Document(2, "Vi säljer plastfria matlådor och laddar inte något alls.", {"language": "sv"}),
    Document(3, "Värmepumpar och laddning av fordon i Sverige.", {"language": "sv"}),
]


def index(engine: MatchEngine, profiles: list[Document]) -> None:
    engine.fit([d.text for d in profiles])
    prepared = engine.prepare(profiles)
    engine.upsert("company", prepared, engine.encode("company", prepared))


def ask(engine: MatchEngine, text: str, language: str, codes: tuple[str, ...] = ()) -> list[int]:
    query = engine.prepare([Document(99, text, {"language": language}, codes)])
    engine.upsert("challenge", query, engine.encode("challenge", query))
    return [m.document.id for m in engine.shortlist(99, 3, explain=False)]


def alone_of(profiles: list[Document]) -> MatchEngine:
    """The multilingual model alone: ties between profiles go to the lower id."""
    engine = MatchEngine({"dense": Keywords(MULTILINGUAL)})
    index(engine, profiles)
    return engine


def test_bm25_abstains_on_a_pair_in_two_languages() -> None:
    """The English profile is the best answer by meaning; BM25 shares no term with it (the
    Swedish profile shares "laddning"), and that zero must not push it down."""
    engine = MatchEngine({"dense": Keywords(MULTILINGUAL), "lexical": create_embedder("bm25")})
    index(engine, PROFILES)
    assert ask(engine, "Snabb laddning för ellastbilar: laddning, laddning", "sv")[0] == 1


def test_an_english_only_model_judges_english_pairs_only() -> None:
    """Beside a multilingual model, the English model re-scores its candidates: it decides
    between two English profiles, and stays out of a Swedish query's ranking."""
    english = Keywords({"charg": 0, "truck": 1, "heat": 2}, languages=frozenset({"en"}))
    english.fingerprint += ":en"
    engine = MatchEngine({"dense": Keywords(MULTILINGUAL), "dense_en": english})
    assert engine.secondary == frozenset({"dense_en"})
    profiles = [*PROFILES, Document(4, "Charging for trucks and truck depots.", {"language": "en"})]
    index(engine, profiles)
    assert ask(engine, "Truck depots: charging for trucks", "en")[0] == 4
    assert ask(alone_of(profiles), "Truck depots: charging for trucks", "en")[0] == 1
    assert ask(engine, "Laddning av fordon", "sv") == ask(
        alone_of(profiles), "Laddning av fordon", "sv"
    )
    assert MatchEngine({"dense_en": english}).secondary == frozenset()


def test_tagged_codes_filter_and_explain_but_only_declared_codes_rank() -> None:
    tagger = CpvTagger(
        [
            CpvCode("31158100", {"en": "Battery chargers", "sv": "Batteriladdare"}),
            CpvCode("39221000", {"en": "Kitchen equipment", "sv": "Köksutrustning"}),
        ]
    )
    engine = MatchEngine({"dense": Keywords(MULTILINGUAL)}, cpv=tagger)
    [tagged] = engine.prepare([Document(1, "Battery chargers for depots", {"language": "en"})])
    assert tagged.codes == () and tagged.tagged == ("31158100",)
    assert tagged.all_codes == ("31158100",)
    vectors = engine.encode("company", [tagged])
    assert vectors["cpv"].nnz == 0  # nothing declared: the channel has nothing to rank on
