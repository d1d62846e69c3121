"""Events of the timeline context."""
