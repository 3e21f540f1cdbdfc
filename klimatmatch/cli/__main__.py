"""`python -m klimatmatch.cli`: the same as the `klimatmatch` command."""

from klimatmatch.cli.main import app

app()
