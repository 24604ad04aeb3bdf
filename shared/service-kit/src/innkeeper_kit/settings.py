"""The settings every service reads alike (logging, shutdown, the HTTP edge's bounds, who issues tokens),
from the environment."""

from __future__ import annotations

import sys
from typing import Annotated, Literal, Self, TypedDict, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from innkeeper_kit.auth.algorithms import ASYMMETRIC
from innkeeper_kit.body_limit import DEFAULT_MAX_BODY_BYTES, DEFAULT_READ_SECONDS

ShardCount = Annotated[int, Field(ge=1, le=64, description="Number of shard queues.")]
"""How many shard queues a consuming service spreads the events over (`<SERVICE>_SHARDS`)."""
AttemptCount = Annotated[int, Field(ge=1, le=100)]
"""How many tries a consuming service gives one message before giving up (`<SERVICE>_MAX_ATTEMPTS`)."""


class HttpServerBounds(TypedDict):
    """uvicorn's own bounds, as `uvicorn.run` names them."""

    limit_concurrency: int
    timeout_keep_alive: int


def _default_log_format() -> Literal["json", "console"]:
    return "console" if sys.stderr.isatty() else "json"


class ServiceSettings(BaseSettings):
    """Base of each service's Settings; the service README's table names every variable."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    port: int = Field(
        default=8000, ge=1, le=65535, description="HTTP port; each service sets its own default."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = Field(default_factory=_default_log_format)
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="Graceful stop bound.")
    max_request_body_bytes: int = Field(
        default=DEFAULT_MAX_BODY_BYTES, ge=1_024, le=16 * 1_048_576, description="Else 413."
    )
    request_body_timeout_seconds: float = Field(
        default=DEFAULT_READ_SECONDS, gt=0, le=300, description="For a whole request body; else 408."
    )
    http_max_concurrency: int = Field(
        default=1000, ge=2, le=100_000, description="Open connections or requests in flight; else 503."
    )
    http_keep_alive_seconds: int = Field(default=5, ge=1, le=600, description="Idle connection kept open.")
    environment: Literal["production", "development"] = Field(
        default="production", description="`development` trusts a JWKS file (make run's own issuer)."
    )
    auth_issuer: str = Field(default="", description="Token `iss`; empty: no token is accepted.")
    auth_audience: str = Field(default="innkeeper", min_length=1, description="Token `aud`.")
    auth_jwks_url: str = Field(default="", description="Empty: OpenID Connect discovery on the issuer.")
    auth_algorithms: str = Field(default="RS256,ES256,EdDSA", description="Accepted `alg`s (asymmetric).")
    auth_roles_claim: str = Field(default="roles", min_length=1)
    auth_hotels_claim: str = Field(default="hotels", min_length=1)
    auth_jwks_max_age_seconds: float = Field(default=300.0, gt=0, le=86_400)
    auth_jwks_refetch_seconds: float = Field(
        default=10.0, ge=0, le=3600, description="Floor between fetches."
    )
    auth_leeway_seconds: float = Field(default=30.0, ge=0, le=300, description="Clock skew allowed.")

    @property
    def http_server_bounds(self) -> HttpServerBounds:
        """uvicorn's own bounds (`uvicorn.run(**...)`). At `limit_concurrency` open connections (idle
        keep-alive ones too) or requests in flight, uvicorn answers a new request itself: 503 `text/plain`
        with `Connection: close`, before the app (and its problem answers) sees it."""
        return HttpServerBounds(
            limit_concurrency=self.http_max_concurrency, timeout_keep_alive=self.http_keep_alive_seconds
        )

    @property
    def auth_algorithm_list(self) -> list[str]:
        return [name.strip() for name in self.auth_algorithms.split(",") if name.strip()]

    @model_validator(mode="after")
    def _auth_is_safe(self) -> Self:
        if not self.auth_algorithm_list or not set(self.auth_algorithm_list) <= ASYMMETRIC:
            raise ValueError(
                f"AUTH_ALGORITHMS must name asymmetric algorithms only ({', '.join(sorted(ASYMMETRIC))})"
            )
        scheme = urlsplit(self.auth_jwks_url).scheme
        if self.auth_jwks_url and scheme not in ("https", "http", "file"):
            raise ValueError("AUTH_JWKS_URL must be an https:// (or http://, file://) URL")
        if scheme == "file" and self.environment != "development":
            raise ValueError("AUTH_JWKS_URL=file://... (a development key) needs ENVIRONMENT=development")
        # Keys fetched in clear text could be swapped on the way: in production only from this host.
        fetched_from = self.auth_jwks_url or self.auth_issuer
        parts = urlsplit(fetched_from)
        if self.environment == "production" and parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise ValueError(f"{fetched_from}: keys are fetched over https in production (or from localhost)")
        return self


_LOOPBACK = ("localhost", "127.0.0.1", "::1")
S = TypeVar("S", bound=BaseSettings)


def load_settings(model: type[S], service: str) -> S:
    """Settings from the environment; exits (code 2) with one line naming each invalid variable."""
    try:
        return model()
    except ValidationError as error:
        print(settings_error(error, service), file=sys.stderr)
        raise SystemExit(2) from None


def settings_error(error: ValidationError, service: str) -> str:
    """One line naming every bad variable and why, for the operator (not a traceback)."""
    problems = "; ".join(
        f"{'.'.join(map(str, e['loc'])).upper() or 'SETTINGS'}: {e['msg']}" for e in error.errors()
    )
    return f"{service}: invalid settings: {problems}"
