"""indiclass: classify economic indicators into a fixed taxonomy, durably and in batches."""

from indiclass.domain.models import Classification, Indicator, SampleValue

__version__ = "0.1.0"

__all__ = ["Classification", "Indicator", "SampleValue", "__version__"]
