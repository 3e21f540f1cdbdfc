"""Writes data/sample/beir/: the sample set in BEIR layout, so `klimatmatch eval` measures it.

Queries are the published challenges, the corpus is the company profiles, qrels come from
relevance.csv. Records keep their declared `cpv_codes`, which `klimatmatch eval --cpv` uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def codes(value: str) -> list[str]:
    return [code for code in str(value).split(";") if code]


def main() -> None:
    out = SAMPLE / "beir"
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    challenges = pd.read_csv(SAMPLE / "challenges.csv", dtype=str, keep_default_na=False)
    companies = pd.read_csv(SAMPLE / "companies.csv", dtype=str, keep_default_na=False)
    relevance = pd.read_csv(SAMPLE / "relevance.csv", dtype=str)
    published = challenges[challenges["status"] == "published"]
    with (out / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for row in published.itertuples():
            record = {
                "_id": row.external_id,
                "text": f"{row.title}. {row.description}",
                "language": row.language,
                "cpv_codes": codes(row.cpv_codes),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for row in companies.itertuples():
            record = {
                "_id": row.external_id,
                "title": row.name,
                "text": row.description,
                "language": row.language,
                "cpv_codes": codes(row.cpv_codes),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    kept = relevance[relevance["challenge_external_id"].isin(published["external_id"])]
    kept.rename(
        columns={
            "challenge_external_id": "query-id",
            "company_external_id": "corpus-id",
            "grade": "score",
        }
    ).to_csv(out / "qrels" / "test.tsv", sep="\t", index=False)


if __name__ == "__main__":
    main()
