"""One redactor for URLs and the texts that quote them: credentials never reach a log, a
stored error or an API response."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@\s:]*)(:[^/@\s]*)?@")
_SECRET_QUERY = re.compile(
    r"([?&](?:api[_-]?key|key|token|access_token|password|secret|sig|signature)=)[^&\s]*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with every URL's password (and secret-looking query values) replaced by ``***``:
    ``postgresql://me:pw@db/x`` → ``postgresql://me:***@db/x``, ``http://k@host`` →
    ``http://***@host``."""
    text = _USERINFO.sub(_userinfo, text)
    return _SECRET_QUERY.sub(r"\1***", text)


def _userinfo(match: re.Match[str]) -> str:
    user, password = match.group("user"), match.group(3)
    if password is None:
        return f"{match.group('scheme')}***@"
    return f"{match.group('scheme')}{user}:***@"
