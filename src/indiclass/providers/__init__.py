"""LLM provider adapters (OpenAI and OpenAI-compatible servers, Anthropic, the rules) and the
wrappers that add retries, rate limits, caching, pricing and logging around any of them.

The SDK adapters import their SDK lazily: ``indiclass.providers.openai`` / ``.anthropic``.
"""

from indiclass.providers.cache import ResponseCache
from indiclass.providers.limiter import Limiter
from indiclass.providers.pricing import DEFAULT_PRICES, Price, PriceTable
from indiclass.providers.registry import UnknownProviderError, create, names, register
from indiclass.providers.rules import RulesProvider
from indiclass.providers.wrappers import Cached, Logged, Priced, RateLimited, Retrying, Wrapper

__all__ = [
    "DEFAULT_PRICES",
    "Cached",
    "Limiter",
    "Logged",
    "Price",
    "PriceTable",
    "Priced",
    "RateLimited",
    "ResponseCache",
    "Retrying",
    "RulesProvider",
    "UnknownProviderError",
    "Wrapper",
    "create",
    "names",
    "register",
]
