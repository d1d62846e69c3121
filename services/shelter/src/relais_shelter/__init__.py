"""relais_shelter."""
