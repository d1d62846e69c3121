"""Events of the shelter context."""
