"""`klimatmatch`: the command line, one module per group of commands (`main` assembles them)."""

from klimatmatch.cli.main import app

__all__ = ["app"]
