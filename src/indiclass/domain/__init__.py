"""The domain: taxonomy enums, models, errors, usage and ports. Depends on nothing else here."""
