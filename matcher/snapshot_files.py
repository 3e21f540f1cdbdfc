"""The files of a snapshot: each written durably with its sha256, each checked as it is read."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from matcher.documents import Document


class SnapshotError(RuntimeError):
    """The snapshot cannot be used (missing, corrupt, or made for another engine)."""


class Reader:
    """Reads a snapshot's files, each checked against the manifest's sha256 as it is read."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder = folder
        self.files: dict[str, str] = dict(manifest.get("files") or {})

    def keys(self, prefix: str, suffix: str) -> list[str]:
        return [
            f.removeprefix(prefix).removesuffix(suffix)
            for f in self.files
            if f.startswith(prefix) and f.endswith(suffix)
        ]

    def read(self, name: str) -> bytes:
        if name not in self.files:
            raise SnapshotError(f"{self.folder.name}: {name} is not in the manifest")
        try:
            data = (self.folder / name).read_bytes()
        except OSError as error:
            raise SnapshotError(f"{self.folder.name}: {name} cannot be read: {error}") from error
        if hashlib.sha256(data).hexdigest() != self.files[name]:
            raise SnapshotError(f"{self.folder.name}: {name} is corrupt (sha256 differs)")
        return data

    def verify(self, name: str) -> None:
        if sha256(self.folder / name) != self.files.get(name):
            raise SnapshotError(f"{self.folder.name}: {name} is corrupt (sha256 differs)")

    def matrix(self, stem: str) -> np.ndarray | sparse.csr_matrix:
        if f"{stem}.npz" in self.files:
            return sparse.csr_matrix(sparse.load_npz(io.BytesIO(self.read(f"{stem}.npz"))))
        return np.load(io.BytesIO(self.read(f"{stem}.npy")), allow_pickle=False)


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (a crash right after must not lose the folder entry)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_documents(folder: Path, side: str, documents: list[Document]) -> dict[str, str]:
    """Texts as one UTF-8 file with character offsets (parsing 100k texts out of JSON took
    0.7 s, slicing one string takes milliseconds); the rest as columns in JSON."""
    texts = [d.text for d in documents]
    offsets = np.cumsum([0, *(len(t) for t in texts)], dtype=np.int64)
    names = list(dict.fromkeys(name for d in documents for name in d.fields))
    columns = {
        "id": [d.id for d in documents],
        "fields": {name: [d.fields.get(name) for d in documents] for name in names},
        "codes": [list(d.codes) for d in documents],
        "tagged": [list(d.tagged) for d in documents],
    }
    return {
        **write_file(folder, f"{side}.texts.txt", "".join(texts).encode("utf-8")),
        **write_matrix(folder, f"{side}.offsets", offsets),
        **write_file(folder, f"{side}.documents.json", json.dumps(columns).encode()),
    }


def read_documents(reader: Reader, side: str) -> list[Document]:
    columns = json.loads(reader.read(f"{side}.documents.json"))
    text = reader.read(f"{side}.texts.txt").decode("utf-8")
    offsets = reader.matrix(f"{side}.offsets").tolist()
    names = list(columns["fields"])
    values = zip(*columns["fields"].values(), strict=True) if names else ((),) * len(columns["id"])
    return [
        Document(
            document_id,
            text[start:end],
            {n: v for n, v in zip(names, row, strict=True) if v is not None},
            tuple(codes),
            tuple(tagged),
        )
        for document_id, start, end, row, codes, tagged in zip(
            columns["id"],
            offsets[:-1],
            offsets[1:],
            values,
            columns["codes"],
            columns["tagged"],
            strict=True,
        )
    ]


def write_file(folder: Path, name: str, data: bytes) -> dict[str, str]:
    with open(folder / name, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return {name: hashlib.sha256(data).hexdigest()}


def write_matrix(folder: Path, stem: str, matrix: Any) -> dict[str, str]:
    buffer = io.BytesIO()
    if sparse.issparse(matrix):
        sparse.save_npz(buffer, sparse.csr_matrix(matrix), compressed=False)
        return write_file(folder, f"{stem}.npz", buffer.getvalue())
    np.save(buffer, np.asarray(matrix), allow_pickle=False)
    return write_file(folder, f"{stem}.npy", buffer.getvalue())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
