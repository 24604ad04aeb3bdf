"""The settings refuse what would make token checks unsafe, in one line at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from innkeeper_kit.settings import ServiceSettings


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"auth_algorithms": "RS256,HS256"}, "asymmetric"),
        ({"auth_algorithms": "none"}, "asymmetric"),
        ({"auth_jwks_url": "file:///keys.json"}, "ENVIRONMENT=development"),
        ({"auth_jwks_url": "ftp://idp.example/keys"}, "https"),
        ({"auth_jwks_url": "http://idp.example/keys"}, "https in production"),
        ({"auth_issuer": "http://idp.example/realms/x"}, "https in production"),
    ],
)
def test_unsafe_auth_settings_stop_the_start(values: dict[str, str], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        ServiceSettings(**values)  # type: ignore[arg-type]


def test_what_development_and_a_local_provider_may_use() -> None:
    ServiceSettings(environment="development", auth_jwks_url="file:///keys.json")
    ServiceSettings(environment="development", auth_issuer="http://keycloak:8080/realms/x")
    ServiceSettings(auth_issuer="http://127.0.0.1:8080/realms/x")
    ServiceSettings(auth_issuer="https://idp.example/realms/x")
