"""Pure timeline domain: no I/O, no clock, no framework."""
