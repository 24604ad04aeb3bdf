"""Where the issuer's public keys come from: the JWKS document (https, http, or a file:// in
development), found through OpenID Connect discovery when no URL is set, and the keys of it that may
verify a token."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError

DISCOVERY_PATH = "/.well-known/openid-configuration"


async def fetch_jwks(url: str, request_seconds: float) -> dict[str, Any]:
    """The JWKS document at `url` (each request bounded by `request_seconds`)."""
    if urlsplit(url).scheme == "file":  # development only (settings): a small local file
        data = await asyncio.to_thread(Path(urlsplit(url).path).read_bytes)
        document: dict[str, Any] = orjson.loads(data)
        return document
    async with httpx.AsyncClient(timeout=request_seconds, follow_redirects=False) as client:
        answer = await client.get(url, headers={"Accept": "application/json"})
        answer.raise_for_status()
        fetched: dict[str, Any] = answer.json()
        return fetched


async def discover_jwks_url(issuer: str, request_seconds: float) -> str:
    """The `jwks_uri` of the issuer's discovery document, which must name the same issuer."""
    async with httpx.AsyncClient(timeout=request_seconds, follow_redirects=False) as client:
        answer = await client.get(issuer.rstrip("/") + DISCOVERY_PATH)
        answer.raise_for_status()
        document = answer.json()
    if document.get("issuer") != issuer or not isinstance(document.get("jwks_uri"), str):
        raise ValueError(f"the discovery document of {issuer} names another issuer or no jwks_uri")
    url: str = document["jwks_uri"]
    return url


def usable_keys(document: dict[str, Any]) -> tuple[dict[str, PyJWK], bytes]:
    """Public signature keys with a `kid`, and a fingerprint of them (the set changed when it changes);
    symmetric (`oct`) and encryption keys are never trusted."""
    entries = [
        entry
        for entry in document.get("keys", [])
        if isinstance(entry, dict)
        and entry.get("kty") in ("RSA", "EC", "OKP")
        and entry.get("use", "sig") == "sig"
        and isinstance(entry.get("kid"), str)
        and "d" not in entry  # a private key published by mistake is not a reason to trust it
    ]
    try:
        key_set = PyJWKSet.from_dict({"keys": entries})
    except PyJWKSetError as error:
        raise ValueError(f"the JWKS has no usable signature key: {error}") from None
    fingerprint = orjson.dumps(entries, option=orjson.OPT_SORT_KEYS)
    return {key.key_id: key for key in key_set.keys if key.key_id is not None}, fingerprint
