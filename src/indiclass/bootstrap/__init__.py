"""Composition root: the only place that knows the concrete providers, stores and engine."""
