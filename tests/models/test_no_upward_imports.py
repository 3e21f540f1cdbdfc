"""`models` (the tables and their migrations) imports nothing of the layers above it: what a
migration needs comes from Alembic's context, not from `klimatmatch`'s settings."""

from __future__ import annotations

import ast
from pathlib import Path

MODELS = Path(__file__).resolve().parents[2] / "models"
ABOVE = ("klimatmatch", "api")


def upward_imports(source: str) -> list[str]:
    """Modules of `ABOVE` imported anywhere in `source` (functions and TYPE_CHECKING too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [n for n in names if n.split(".")[0] in ABOVE]
    return found


def test_the_check_finds_an_import_hidden_in_a_function() -> None:
    source = "def upgrade():\n    from klimatmatch.core.settings import Settings\nimport api.app\n"
    assert sorted(upward_imports(source)) == ["api.app", "klimatmatch.core.settings"]


def test_models_and_its_migrations_import_nothing_of_klimatmatch_or_api() -> None:
    files = sorted(MODELS.rglob("*.py"))
    assert MODELS / "migrations" / "versions" / "0009_pgvector.py" in files
    offending = {
        str(path.relative_to(MODELS)): imports
        for path in files
        if (imports := upward_imports(path.read_text(encoding="utf-8")))
    }
    assert offending == {}
