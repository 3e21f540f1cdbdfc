"""Ranking quality on labelled sets in BEIR layout: nDCG@10, Recall@50, MRR@10."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Benchmark:
    name: str
    doc_ids: list[str]
    doc_texts: list[str]
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]
    """query id -> {doc id: graded relevance > 0}"""
    doc_codes: list[tuple[str, ...]] = field(default_factory=list)
    query_codes: list[tuple[str, ...]] = field(default_factory=list)
    query_languages: list[str] = field(default_factory=list)
    doc_languages: list[str] = field(default_factory=list)
    """Optional extras some sets carry (`cpv_codes`, `language`); empty when absent."""


def load_beir(folder: Path, split: str = "test", max_queries: int | None = None) -> Benchmark:
    """Reads corpus.jsonl, queries.jsonl and qrels/{split}.tsv; keeps queries that have labels
    (the first `max_queries` of them, for a quick slice)."""
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    doc_ids, doc_texts, doc_codes, doc_languages = [], [], [], []
    for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            doc_ids.append(str(doc["_id"]))
            title = (doc.get("title") or "").strip()
            doc_texts.append(f"{title}. {doc['text']}" if title else doc["text"])
            doc_codes.append(tuple(doc.get("cpv_codes") or ()))
            doc_languages.append(doc.get("language") or "")
    query_ids, query_texts, query_codes, languages = [], [], [], []
    for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            query = json.loads(line)
            wanted = max_queries is None or len(query_ids) < max_queries
            if str(query["_id"]) in qrels and wanted:
                query_ids.append(str(query["_id"]))
                query_texts.append(query["text"])
                query_codes.append(tuple(query.get("cpv_codes") or ()))
                languages.append(query.get("language") or "")
    return Benchmark(
        folder.name,
        doc_ids,
        doc_texts,
        query_ids,
        query_texts,
        qrels,
        doc_codes,
        query_codes,
        languages,
        doc_languages,
    )


def metrics_for(ranked: list[str], relevant: Mapping[str, int]) -> dict[str, float]:
    """nDCG@10 (graded gains), Recall@50 and MRR@10 of one ranked list."""
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    found = sum(1 for doc in ranked[:50] if doc in relevant)
    first = next((i for i, doc in enumerate(ranked[:10]) if doc in relevant), None)
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "recall@50": found / len(relevant) if relevant else 0.0,
        "mrr@10": 0.0 if first is None else 1.0 / (first + 1),
    }


def mean_metrics(ranked: Iterable[tuple[list[str], Mapping[str, int]]]) -> dict[str, float]:
    """Mean of `metrics_for` over (ranked doc ids, relevant docs) pairs, rounded to 4 places."""
    totals = {"ndcg@10": 0.0, "recall@50": 0.0, "mrr@10": 0.0}
    count = 0
    for ids, relevant in ranked:
        for name, value in metrics_for(ids, relevant).items():
            totals[name] += value
        count += 1
    return {name: round(total / max(count, 1), 4) for name, total in totals.items()}
