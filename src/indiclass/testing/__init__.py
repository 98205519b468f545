"""testing (to be filled in)."""
