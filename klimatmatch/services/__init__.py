"""Orchestration between the matcher and the database; routes and CLI commands call these."""
