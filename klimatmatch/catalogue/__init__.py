"""Challenges and company profiles: their schemas, service, imports, restores and drafting help."""
