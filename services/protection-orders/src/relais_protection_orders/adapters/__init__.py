"""Adapters of the application ports: MongoDB/FerretDB (real) and memory (tests, tools)."""
