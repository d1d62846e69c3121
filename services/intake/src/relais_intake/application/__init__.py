"""Use cases of the intake service: load a case's stream, decide, append one commit."""
