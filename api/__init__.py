"""The HTTP service: thin routes (`routes/`) and pages (`pages/`) over `klimatmatch`'s domains."""
