"""Use cases of the protection-orders service: handlers, read model, deadline process manager."""
