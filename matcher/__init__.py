"""The matching library: embedding, exact retrieval, ranking and explanations.

It knows nothing of HTTP or SQL, so it runs the same from the API, the CLI, a batch job or a
notebook. Scores are cosine similarities of L2-normalised vectors (a dot product).
"""

from matcher.documents import Document
from matcher.embedders import Embedder, available_embedders, create_embedder
from matcher.engine import Match, MatchEngine
from matcher.filters import Filters
from matcher.index import ExactIndex
from matcher.strength import Strength
from matcher.topk import top_k

__all__ = [
    "Document",
    "Embedder",
    "ExactIndex",
    "Filters",
    "Match",
    "MatchEngine",
    "Strength",
    "available_embedders",
    "create_embedder",
    "top_k",
]
