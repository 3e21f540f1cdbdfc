"""The HTTP service: thin routes over `klimatmatch.services`."""
