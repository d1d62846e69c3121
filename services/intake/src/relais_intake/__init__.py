"""relais_intake."""
