"""Adapters of the timeline's ports: memory (unit tests) and Mongo (MongoDB 7 / FerretDB 1.x)."""
