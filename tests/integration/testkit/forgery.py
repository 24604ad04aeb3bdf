"""Forged tokens: every attack of the identity issue, for the kit's unit tests and the services' tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import serialization

from innkeeper_kit.auth.dev import DevelopmentIssuer, new_key


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}.{b64(signature)}"


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return result


def alg_none(issuer: DevelopmentIssuer) -> str:
    """The classic: a token that says it needs no signature."""
    honest = issuer.token("admin", "mallory")
    return unsigned({"alg": "none", "typ": "at+jwt", "kid": issuer.kid}, claims_of(honest))


def hs256_with_public_key(issuer: DevelopmentIssuer) -> str:
    """The key-confusion attack: HMAC-signed with the issuer's *public* key as the secret."""
    public_pem = issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": issuer.kid}
    claims = claims_of(issuer.token("admin", "mallory"))
    signing_input = ".".join(unsigned(header, claims).split(".")[:2]).encode()
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    return unsigned(header, claims, signature)


def tampered(issuer: DevelopmentIssuer) -> str:
    """An honest guest token whose payload was changed to say admin; the signature is the original."""
    head, _, signature = issuer.token("guest", "g-1").split(".")
    claims = {**claims_of(issuer.token("guest", "g-1")), "roles": ["admin"]}
    return f"{head}.{b64(json.dumps(claims).encode())}.{signature}"


def foreign_key(issuer: DevelopmentIssuer) -> str:
    """Well formed and signed, by a key the issuer's JWKS does not hold (an unknown kid)."""
    return DevelopmentIssuer(new_key(), name=issuer.name).token("admin", "mallory")


ATTACKS: dict[str, Callable[[DevelopmentIssuer], str]] = {
    "expired": lambda issuer: issuer.token("admin", "a", exp=int(time.time()) - 3600),
    "not-yet-valid": lambda issuer: issuer.token("admin", "a", nbf=int(time.time()) + 3600),
    "wrong-issuer": lambda issuer: issuer.token("admin", "a", iss="https://evil.example"),
    "wrong-audience": lambda issuer: issuer.token("admin", "a", aud="someone-else"),
    "alg-none": alg_none,
    "hs256-with-public-key": hs256_with_public_key,
    "tampered-payload": tampered,
    "unknown-kid": foreign_key,
}
"""Every token a resource server must refuse with 401, by name."""
