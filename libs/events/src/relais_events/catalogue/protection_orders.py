"""Events of the protection_orders context."""
