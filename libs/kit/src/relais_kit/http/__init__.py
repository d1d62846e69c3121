"""The HTTP edge of a Relais service: problem details, strict request models, idempotency.

Import from the modules themselves (`relais_kit.http.problems`, ...): this package imports
nothing, so `relais_kit.http.errors` stays free of any web framework.
"""
