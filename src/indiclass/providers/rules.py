"""The offline rules as a provider (defined beside the stages it answers for:
``indiclass.stages.RulesProvider``)."""

from indiclass.stages import RulesProvider

__all__ = ["RulesProvider"]
