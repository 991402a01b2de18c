"""Random secrets handed to users and the hashes kept of them."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """Return a URL-safe random token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the stored form of a token: SHA-256 is enough for 256-bit random secrets."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
