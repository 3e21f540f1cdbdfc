"""Open Contracting: published challenges as OCDS planning releases and records, and OCDS
releases from elsewhere read back as challenges (docs/ocds.md)."""
