"""The pure domain of protection orders: no I/O, no clock, no framework (DESIGN.md section 2)."""
