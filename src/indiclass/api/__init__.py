"""api (to be filled in)."""
