"""The released schema steps, one SQL file per dialect (see ``indiclass.storage.migrations``)."""
