"""relais_kit."""
