"""Klimatmatch: the application layer over `matcher` and `models`, one package per domain
(`catalogue`, `matching`, `engagement`, `alerts`, `accounts`, `learning`, `index`) over `core`,
with the job queue (`jobs`), the command line (`cli`) and the entry points' helpers (`tasks`,
`runtime`)."""

__version__ = "0.1.0"
