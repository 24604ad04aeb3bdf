"""A development issuer: one signing key made once under `.run/auth/`, its JWKS beside it, and tokens.

For `make run`, `make token`, the tests and the benchmark only. The services trust it through
`AUTH_JWKS_URL=file://…`, which they accept only with `ENVIRONMENT=development`; nothing here is
imported by a service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from innkeeper_contracts import Role

DEV_ISSUER = "innkeeper-dev"
DEV_AUDIENCE = "innkeeper"
KEY_FILE, JWKS_FILE = "signing-key.pem", "jwks.json"


class DevelopmentIssuer:
    """Mints RS256 access tokens (RFC 9068 shape) that services in development mode trust."""

    def __init__(self, key: rsa.RSAPrivateKey, directory: Path | None = None, name: str = DEV_ISSUER) -> None:
        self.key, self.directory, self.name = key, directory, name
        self.public_jwk = public_jwk(key)
        self.kid: str = self.public_jwk["kid"]

    @classmethod
    def ensure(cls, directory: Path) -> DevelopmentIssuer:
        """The issuer whose key lives in `directory`, made once (readable by this user only) if missing."""
        # The directory and the JWKS are readable by all (services in containers run as another user and
        # read only the public keys); the private key is its owner's alone.
        directory.mkdir(parents=True, exist_ok=True, mode=0o755)
        path = directory / KEY_FILE
        if not path.exists():
            pem = new_key().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:  # O_EXCL: two starts at once make one key, not two
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        issuer = cls(key, directory)
        write_jwks(directory / JWKS_FILE, [issuer.public_jwk])
        return issuer

    @property
    def jwks_url(self) -> str:
        assert self.directory is not None, "an issuer made in memory has no JWKS file"
        return (self.directory / JWKS_FILE).resolve().as_uri()

    def settings(self) -> dict[str, str]:
        """The environment that makes a service trust this issuer (development mode only)."""
        return {
            "ENVIRONMENT": "development",
            "AUTH_ISSUER": self.name,
            "AUTH_AUDIENCE": DEV_AUDIENCE,
            "AUTH_JWKS_URL": self.jwks_url,
        }

    def token(
        self,
        role: Role,
        subject: str,
        *,
        hotels: Iterable[UUID | str] = (),
        ttl: float = 3600,
        **claims: Any,
    ) -> str:
        """A signed access token for `subject` in `role` (and, for staff, `hotels`); `claims` override."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.name,
            "aud": DEV_AUDIENCE,
            "sub": subject,
            "client_id": subject if role == "service" else "innkeeper-dev-cli",
            "iat": now,
            "nbf": now,
            "exp": now + int(ttl),
            "jti": uuid4().hex,
            "roles": [role],
        }
        if role == "staff":
            payload["hotels"] = [str(hotel) for hotel in hotels]
        payload.update(claims)
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid, "typ": "at+jwt"})


def new_key() -> rsa.RSAPrivateKey:
    """RS256: of the asymmetric algorithms, the cheapest to verify (the services verify, often)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    """The public half as a JWK, its `kid` the RFC 7638 thumbprint."""
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def write_jwks(path: Path, keys: list[dict[str, Any]]) -> None:
    """Write a JWKS atomically (a reader never sees half a file)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps({"keys": keys}, indent=2) + "\n")
    partial.replace(path)


if __name__ == "__main__":  # `python -m innkeeper_kit.auth.dev DIR`: make the key once (`make up`)
    import sys

    print(DevelopmentIssuer.ensure(Path(sys.argv[1] if len(sys.argv) > 1 else ".run/auth")).jwks_url)
