"""providers (to be filled in)."""
