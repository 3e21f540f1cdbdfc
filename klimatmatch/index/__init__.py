"""The index's backends behind one protocol (`backend.IndexBackend`): in-process (`memory`) or
in PostgreSQL (`pgvector`), chosen by the setting `index_backend` in `registry.BACKENDS`."""
