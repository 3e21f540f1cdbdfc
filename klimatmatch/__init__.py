"""Klimatmatch: the application layer (settings, services, CLI) over `matcher` and `models`."""

__version__ = "0.1.0"
