"""The library's public names: a change here is a change for every caller."""

from __future__ import annotations

import matcher


def test_exported_members() -> None:
    assert sorted(matcher.__all__) == [
        "Document",
        "Embedder",
        "ExactIndex",
        "Filters",
        "Match",
        "MatchEngine",
        "Strength",
        "available_embedders",
        "create_embedder",
        "top_k",
    ]
    for name in matcher.__all__:
        assert getattr(matcher, name).__module__.startswith("matcher.")


def test_matcher_knows_nothing_of_http_or_sql() -> None:
    import ast
    from pathlib import Path

    for path in Path(matcher.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                root = name.split(".")[0]
                assert root not in {
                    "fastapi",
                    "sqlalchemy",
                    "api",
                    "models",
                    "klimatmatch",
                    "starlette",
                }, f"{path.name} imports {name}"
