"""Synthetic company profiles at scale, shaped like the sample: realistic length and vocabulary.

Words are drawn with Zipf frequencies from the sample's own vocabulary (Swedish and English),
so BM25 and CPV tagging see realistic texts; dense vectors are drawn around the real embeddings
of the sample profiles, so clusters look like a real corpus (uniform random vectors would make
approximate search look far worse than it is on real data).

    python -m benchmarks.synthetic --size 100000 --out var/synthetic-100k.csv
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "companies.csv"
COUNTRIES = ["SE", "SE", "SE", "DK", "NO", "FI", "DE", "GB"]


def vocabulary() -> list[str]:
    words = re.findall(r"[^\W\d_]{3,}", " ".join(pd.read_csv(SAMPLE)["description"]).lower())
    counts = pd.Series(words).value_counts()
    return list(counts.index)


def profiles(size: int, seed: int = 0, words_per_text: int = 60) -> pd.DataFrame:
    """`size` profiles in the import schema (name, country, sector, description)."""
    rng = np.random.default_rng(seed)
    words = np.array(vocabulary())
    ranks = np.arange(1, len(words) + 1)
    weights = 1.0 / ranks**1.07
    weights /= weights.sum()
    lengths = rng.integers(words_per_text // 2, words_per_text * 3 // 2, size)
    drawn = rng.choice(len(words), size=int(lengths.sum()), p=weights)
    texts, start = [], 0
    for length in lengths:
        texts.append(" ".join(words[drawn[start : start + length]]).capitalize() + ".")
        start += length
    return pd.DataFrame(
        {
            "external_id": [f"SYN-{i:07d}" for i in range(size)],
            "name": [f"Synthetic {i} AB" for i in range(size)],
            "country": rng.choice(COUNTRIES, size),
            "sector": rng.choice(
                ["energy", "transport", "construction", "water", "software"], size
            ),
            "description": texts,
        }
    )


def vectors(anchors: np.ndarray, size: int, seed: int = 0, noise: float = 0.35) -> np.ndarray:
    """(size, d) unit float32 vectors scattered around real embeddings `anchors`."""
    rng = np.random.default_rng(seed)
    picked = anchors[rng.integers(0, len(anchors), size)]
    scattered = picked + noise * rng.normal(size=picked.shape).astype(np.float32) / np.sqrt(
        anchors.shape[1] / 16
    )
    return (scattered / np.linalg.norm(scattered, axis=1, keepdims=True)).astype(np.float32)


def shaped_vectors(
    real: np.ndarray, size: int, spread: float, seed: int = 0, block: int = 100_000
) -> np.ndarray:
    """(size, d) unit float32 vectors, each a real embedding moved along the corpus's own
    directions of variance (Gaussian noise with the corpus's covariance, times `spread`).

    Real embeddings vary in few directions; isotropic noise (`vectors`) spreads a point over
    all of them, so every neighbour looks alike (close to uniform random vectors, the worst
    case of approximate search). This keeps the corpus's shape."""
    rng = np.random.default_rng(seed)
    centred = real - real.mean(axis=0)
    _, singular, directions = np.linalg.svd(centred, full_matrices=False)
    scale = (singular / np.sqrt(len(real))).astype(np.float32)
    out = np.empty((size, real.shape[1]), np.float32)
    for start in range(0, size, block):
        count = min(block, size - start)
        picked = real[rng.integers(0, len(real), count)]
        noise = (rng.standard_normal((count, len(scale)), np.float32) * scale) @ directions
        moved = picked + spread * noise.astype(np.float32)
        out[start : start + count] = moved / np.linalg.norm(moved, axis=1, keepdims=True)
    return out


def neighbour_similarity(
    vectors_: np.ndarray, k: int = 10, sample: int = 500, block: int = 50_000
) -> float:
    """Median cosine of a point's k-th nearest neighbour (a sample of points, exact)."""
    rng = np.random.default_rng(1)
    chosen = rng.choice(len(vectors_), min(sample, len(vectors_)), replace=False)
    best = np.full((len(chosen), k), -np.inf, np.float32)
    for start in range(0, len(vectors_), block):
        similarities = vectors_[chosen] @ vectors_[start : start + block].T
        own = (chosen >= start) & (chosen < start + block)
        similarities[own, chosen[own] - start] = -np.inf  # not its own neighbour
        merged = np.concatenate([best, similarities], axis=1)
        best = -np.partition(-merged, k - 1, axis=1)[:, :k]
    return float(np.median(best.min(axis=1)))


def calibrated_spread(real: np.ndarray, k: int = 1) -> tuple[float, float]:
    """The `spread` at which a synthetic set as large as `real` has the real corpus's median
    k-th neighbour similarity (bisection), and that similarity."""
    target = neighbour_similarity(real, k)
    low, high = 0.0, 4.0
    for _ in range(20):
        middle = (low + high) / 2
        synthetic = shaped_vectors(real, len(real), middle, seed=2)
        if neighbour_similarity(synthetic, k) > target:
            low = middle  # still too tight: spread more
        else:
            high = middle
    return (low + high) / 2, target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    profiles(args.size).to_csv(args.out, index=False)
    print(f"wrote {args.size} profiles to {args.out}")


if __name__ == "__main__":
    main()
