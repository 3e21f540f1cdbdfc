"""Writes data/nordic_cpv/: CPV classes matched to their codes within one Nordic language.

The same construction as the `cpv-` part of data/crosslingual (see scripts/build_crosslingual.py),
on the other half of the classes, with the query and its documents in the same language:
Swedish, Danish and Finnish, one part each (`cpv-sv-`, `cpv-da-`, `cpv-fi-`). It is the
one-language twin of the cross-lingual set: "relevant" means the same in both (a code of the
class named by the query), so a match strength fitted on one kind of pair and on the other
means the same thing. Deterministic.
"""

from __future__ import annotations

import csv
from pathlib import Path

from build_crosslingual import cpv_part, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "nordic_cpv"
LANGUAGES = ("sv", "da", "fi")

README = """# Nordic CPV set: classes and their codes within one language

Built by `scripts/build_nordic_cpv.py` (deterministic). BEIR layout: `corpus.jsonl`,
`queries.jsonl`, `qrels/test.tsv`; query and document ids carry the language.

| part | queries | qrels | documents |
|---|---|---|---|
{rows}

For every second CPV class (`DDDD0000`) with 5-17 more-specific codes (the classes the
cross-lingual set's `cpv-` part leaves out): the query is the class's label, then `: ` and the
labels of its first two children (by level, then code); relevant (grade 1) are the class's other
more-specific codes, each a document holding its label in the query's language. The two children
named in a query are left out of the corpus. No `cpv_codes` fields: the set measures text.

Source: CPV labels © European Union, EU Publications Office, CPV 2008 via the eForms SDK,
licensed under CC BY 4.0 (see `data/taxonomies/README.md`).
"""


def main() -> None:
    (OUT / "qrels").mkdir(parents=True, exist_ok=True)
    queries, documents, qrels, rows = [], [], [], []
    for language in LANGUAGES:
        q, d, r = cpv_part(language, language, offset=1)
        queries, documents, qrels = queries + q, documents + d, qrels + r
        rows.append(f"| `cpv-{language}-` | {len(q)} | {len(r)} | {len(d)} |")
    write_jsonl(OUT / "queries.jsonl", queries)
    write_jsonl(OUT / "corpus.jsonl", documents)
    with (OUT / "qrels" / "test.tsv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["query-id", "corpus-id", "score"])
        writer.writerows(qrels)
    (OUT / "README.md").write_text(README.format(rows="\n".join(rows)), encoding="utf-8")
    print({"queries": len(queries), "qrels": len(qrels), "documents": len(documents)})


if __name__ == "__main__":
    main()
