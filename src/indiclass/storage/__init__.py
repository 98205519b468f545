"""storage (to be filled in)."""
