"""Webhook signing and the hosts that may be called (issue #16)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from indiclass.domain.errors import ConfigError, InputError
from indiclass.engine.webhooks import (
    check_callback_url,
    host_allowed,
    sign,
    verify,
    webhook_settings,
)


def test_webhook_signature_is_hmac_sha256_of_the_body() -> None:
    body = b'{"event":"batch.closed"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign(body, "s3cret") == f"sha256={expected}"
    assert verify(body, "s3cret", f"sha256={expected}")
    assert not verify(body + b" ", "s3cret", f"sha256={expected}")
    assert not verify(body, "other", f"sha256={expected}") and not verify(body, "s3cret", None)


def test_only_loopback_or_allowed_hosts_are_called() -> None:
    allowed = frozenset({"hooks.example.org"})
    for host in ("127.0.0.1", "127.5.5.5", "::1", "localhost", "LOCALHOST.", "hooks.example.org"):
        assert host_allowed(host, allowed), host
    for host in ("10.0.0.1", "169.254.169.254", "example.org", "127.0.0.1.nip.io", "0.0.0.0"):
        assert not host_allowed(host, allowed), host
    settings = webhook_settings(
        {"INDICLASS_WEBHOOK_SECRET": "s", "INDICLASS_WEBHOOK_ALLOWED_HOSTS": " Hooks.Example.org ,"}
    )
    assert settings.allowed_hosts == allowed
    assert check_callback_url("https://hooks.example.org/x", settings)
    with pytest.raises(InputError, match="neither loopback"):
        check_callback_url("http://10.0.0.1/x", settings)
    with pytest.raises(InputError, match="http"):
        check_callback_url("file:///etc/passwd", settings)
    with pytest.raises(ConfigError, match="INDICLASS_WEBHOOK_SECRET"):
        check_callback_url("http://127.0.0.1/x", webhook_settings({}))
    with pytest.raises(ConfigError, match="INDICLASS_WEBHOOK_ATTEMPTS"):
        webhook_settings({"INDICLASS_WEBHOOK_ATTEMPTS": "many"})
