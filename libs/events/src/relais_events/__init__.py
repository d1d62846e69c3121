"""relais_events."""
