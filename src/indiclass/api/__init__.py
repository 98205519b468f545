"""The HTTP API (FastAPI): ``create_app(settings, engine=None)`` builds it; nothing at import."""

from indiclass.api.app import create_app

__all__ = ["create_app"]
