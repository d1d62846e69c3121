"""Adapters: the application's ports on MongoDB/FerretDB and in memory (for unit tests)."""
