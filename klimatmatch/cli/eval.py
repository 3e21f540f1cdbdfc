"""`klimatmatch eval`: the service's engine on a labelled set in BEIR layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from klimatmatch.cli.common import console
from klimatmatch.core.settings import get_settings


def eval_(
    bench_dir: Annotated[
        Path, typer.Argument(help="A folder in BEIR layout", exists=True, file_okay=False)
    ],
    method: Annotated[str, typer.Option(help="lexical, dense, cpv, hybrid or all")] = "all",
    json_output: Annotated[bool, typer.Option("--json", help="Last line: one JSON object")] = False,
    rerank: Annotated[
        bool,
        typer.Option(
            help="Also fit the re-ranker on half the queries' labels and report the held-out half"
        ),
    ] = False,
    cache_dir: Annotated[Path | None, typer.Option(help="Keep dense vectors here")] = None,
    queries: Annotated[int | None, typer.Option(min=1, help="Only the first N queries")] = None,
) -> None:
    """nDCG@10, Recall@50 and MRR@10 per method, with the service's engine."""
    from klimatmatch.matching.evaluation import METHODS, evaluate

    if method not in (*METHODS, "all"):
        raise typer.BadParameter(f"--method must be {', '.join(METHODS)} or all")
    methods = list(METHODS) if method == "all" else [method]
    results = evaluate(
        bench_dir,
        methods,
        get_settings(),
        cache_dir=cache_dir,
        rerank=rerank,
        max_queries=queries,
        show_progress=True,
    )
    table = Table(title=f"{bench_dir.name}", title_justify="left")
    for column in ("method", "nDCG@10", "Recall@50", "MRR@10"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for name, values in results.items():
        table.add_row(name, *(f"{values[m]:.4f}" for m in ("ndcg@10", "recall@50", "mrr@10")))
    console.print(table)
    if json_output:
        print(json.dumps(results))
