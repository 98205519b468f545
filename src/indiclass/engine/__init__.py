"""engine (to be filled in)."""
