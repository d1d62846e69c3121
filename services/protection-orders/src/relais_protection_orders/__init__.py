"""relais_protection_orders."""
