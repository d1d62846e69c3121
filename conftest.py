"""Every test session shares one set of real servers (see relais_infra.testing)."""

pytest_plugins = ("relais_infra.testing",)
