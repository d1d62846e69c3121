"""relais_timeline."""
