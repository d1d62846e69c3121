"""relais_infra."""
