"""The evaluation notebook runs end to end, on a small slice, in a real Jupyter kernel."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT


def test_evaluation_notebook_executes_and_shows_its_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLIMATMATCH_NOTEBOOK_QUERIES", "8")
    monkeypatch.setenv("KLIMATMATCH_EMBEDDER", "tfidf")
    monkeypatch.setenv("KLIMATMATCH_ROOT", str(ROOT))
    notebook = nbformat.read(ROOT / "notebooks" / "evaluation.ipynb", as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "hybrid" in html and "sample" in html
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert os.environ["KLIMATMATCH_EMBEDDER"] == "tfidf"
