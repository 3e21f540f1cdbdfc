"""Writes data/crosslingual/: Swedish queries against English documents, in BEIR layout.

Two parts share one corpus pool, told apart by query-id prefix:

* `sample-`: published Swedish challenges from data/sample; the corpus holds the English company
  profiles; qrels are the relevance.csv pairs between the two (grades kept).
* `cpv-`: CPV 2008 classes (codes `DDDD0000`) with 5-17 more-specific codes. The query is the
  class's Swedish label plus the Swedish labels of its first two children (sorted by level, then
  code); the other children are relevant (grade 1). Every second such class is used. The corpus
  holds the English label of every code below the used classes, except the two named in a query.

No `cpv_codes` are written: the set measures text matching across languages. Deterministic.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CPV = ROOT / "data" / "taxonomies" / "cpv2008_en_sv_da_fi.csv"
OUT = ROOT / "data" / "crosslingual"
MIN_BELOW, MAX_BELOW, EVERY = 5, 17, 2  # 3-15 relevant once two are named in the query

Rows = list[dict[str, str]]
Qrels = list[tuple[str, str, int]]


def significant(code: str) -> int:
    """Digits that place a CPV code in the tree (at least 2, the division)."""
    return max(len(code.rstrip("0")), 2)


def sample_part() -> tuple[Rows, Rows, Qrels]:
    """Swedish published challenges, English company profiles and the judged pairs between."""
    read = {"dtype": str, "keep_default_na": False}
    challenges = pd.read_csv(SAMPLE / "challenges.csv", **read)
    companies = pd.read_csv(SAMPLE / "companies.csv", **read)
    relevance = pd.read_csv(SAMPLE / "relevance.csv", **read)
    queries = challenges[(challenges["status"] == "published") & (challenges["language"] == "sv")]
    docs = companies[companies["language"] == "en"].sort_values("external_id")
    pairs = relevance[
        relevance["challenge_external_id"].isin(queries["external_id"])
        & relevance["company_external_id"].isin(docs["external_id"])
    ]
    qrels = sorted(
        (f"sample-{q}", d, int(g)) for q, d, g in pairs.itertuples(index=False) if int(g) > 0
    )
    judged = {q for q, _, _ in qrels}
    query_rows = [
        {"_id": f"sample-{r.external_id}", "text": f"{r.title}. {r.description}", "language": "sv"}
        for r in queries.sort_values("external_id").itertuples()
        if f"sample-{r.external_id}" in judged
    ]
    doc_rows = [
        {"_id": r.external_id, "title": r.name, "text": r.description, "language": "en"}
        for r in docs.itertuples()
    ]
    return query_rows, doc_rows, qrels


def cpv_part(
    query_language: str = "sv", doc_language: str = "en", offset: int = 0
) -> tuple[Rows, Rows, Qrels]:
    """Class labels (with two children) in one language against the labels of the other
    children in another (or the same); `offset` picks which half of the classes."""
    labels = pd.read_csv(CPV, dtype=str, keep_default_na=False).set_index("code")
    codes = sorted(labels.index)
    below: dict[str, list[str]] = {}
    for code in codes:
        if significant(code) > 4:
            below.setdefault(code[:4] + "0000", []).append(code)
    classes = [
        code
        for code in codes
        if significant(code) == 4 and MIN_BELOW <= len(below.get(code, [])) <= MAX_BELOW
    ][offset::EVERY]
    same = query_language == doc_language
    prefix = f"cpv-{query_language}-" if same else "cpv-"
    query_rows: Rows = []
    doc_rows: Rows = []
    qrels: Qrels = []
    for code in classes:
        children = sorted(below[code], key=lambda child: (significant(child), child))
        named, relevant = children[:2], sorted(children[2:])
        named_text = ", ".join(labels.at[child, query_language] for child in named)
        text = f"{labels.at[code, query_language]}: {named_text}"
        query_rows.append({"_id": f"{prefix}{code}", "text": text, "language": query_language})
        for child in relevant:
            doc_id = f"{doc_language}-{child}" if same else child
            label = labels.at[child, doc_language]
            doc_rows.append({"_id": doc_id, "title": "", "text": label, "language": doc_language})
            qrels.append((f"{prefix}{code}", doc_id, 1))
    return query_rows, doc_rows, qrels


def write_jsonl(path: Path, rows: Rows) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


README = """# Cross-lingual set: Swedish queries, English documents

Built by `scripts/build_crosslingual.py` (deterministic; run it again to rebuild). BEIR layout:
`corpus.jsonl`, `queries.jsonl`, `qrels/test.tsv`. One corpus pool; query ids carry the part.

| part | queries | qrels | documents |
|---|---|---|---|
| `sample-` | {sq} | {sr} | {sd} English company profiles (ids `CO-...`) |
| `cpv-` | {cq} | {cr} | {cd} English CPV labels (ids are the 8-digit codes) |

* `sample-`: published challenges written in Swedish from `data/sample/` against the company
  profiles written in English; qrels are the `relevance.csv` pairs between them (grade kept).
* `cpv-`: every second CPV class (`DDDD0000`) with 5-17 more-specific codes. Query: the class's
  Swedish label, then `: ` and the Swedish labels of its first two children (by level, then code).
  Relevant (grade 1): the class's other more-specific codes, each a document holding its English
  label. The two children named in a query are left out of the corpus.

No `cpv_codes` fields: the set measures text matching across languages, not declared codes.

Sources: `data/sample/` was written for this project (fictional organisations). CPV labels:
© European Union, EU Publications Office, CPV 2008 via the eForms SDK, licensed under CC BY 4.0
(see `data/taxonomies/README.md`).
"""


def main() -> None:
    (OUT / "qrels").mkdir(parents=True, exist_ok=True)
    sample_q, sample_d, sample_r = sample_part()
    cpv_q, cpv_d, cpv_r = cpv_part()
    write_jsonl(OUT / "queries.jsonl", sample_q + cpv_q)
    write_jsonl(OUT / "corpus.jsonl", sample_d + cpv_d)
    with (OUT / "qrels" / "test.tsv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["query-id", "corpus-id", "score"])
        writer.writerows(sample_r + cpv_r)
    counts = {"sq": len(sample_q), "sr": len(sample_r), "sd": len(sample_d)}
    counts |= {"cq": len(cpv_q), "cr": len(cpv_r), "cd": len(cpv_d)}
    (OUT / "README.md").write_text(README.format(**counts), encoding="utf-8")
    print(counts)


if __name__ == "__main__":
    main()
