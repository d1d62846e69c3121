"""Events of the intake context."""
