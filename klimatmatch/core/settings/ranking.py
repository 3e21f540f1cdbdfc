"""How shortlists are ranked: the channels, their fusion and how many results a request gets."""

from __future__ import annotations

from pydantic import BaseModel, Field

from matcher.fusion import Fusion


class RankingSettings(BaseModel):
    """The engine's knobs that change scores, not where anything is stored."""

    lexical: bool = Field(default=True, description="Add the BM25 channel")
    cpv: bool = Field(default=True, description="Tag texts with CPV codes and rank by shared codes")
    fusion: Fusion = Fusion.ZSCORE
    weights: dict[str, float] = Field(default_factory=lambda: {"cpv": 0.5})
    foreign_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    min_reviews: int = Field(
        default=30, ge=2, description="Decisions needed to train the re-ranker"
    )
    fusion_depth: int = Field(default=100, ge=10, le=10_000)
    feedback_docs: int = Field(
        default=3,
        ge=0,
        le=50,
        description="Pseudo-relevance feedback: how many of the dense channel's best candidates "
        "give their terms to a lexical query that re-scores the fused top `fusion_depth` "
        "(lets BM25 speak where challenge and profiles differ in language); 0 turns it off",
    )
    feedback_terms: int = Field(default=30, ge=1, le=1_000)
    feedback_weight: float = Field(default=0.25, ge=0.0, le=1.0)
    feedback_candidates: int = Field(default=100, ge=1, le=10_000)
    default_k: int = Field(default=10, ge=1, le=200)
    max_k: int = Field(default=200, ge=1, le=10_000)
