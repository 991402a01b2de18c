"""Password hashing (argon2) and the strength rules for new passwords."""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn refuses longer input; the first 72 characters decide the score.
_ZXCVBN_LIMIT = 72
_MIN_SCORE = 3


@cache
def _hasher_for(time_cost: int | None, memory_kib: int | None) -> tuple[PasswordHasher, str]:
    """Return a hasher and a dummy hash made with it (for unknown-email logins)."""
    options = {"time_cost": time_cost, "memory_cost": memory_kib}
    hasher = PasswordHasher(**{k: v for k, v in options.items() if v is not None})
    # Verifying against this keeps unknown-email logins as slow as known ones.
    return hasher, hasher.hash("careteam-timing-equaliser")


def _hasher() -> tuple[PasswordHasher, str]:
    # argon2-cffi's defaults (RFC 9106's low-memory choice) unless the app says otherwise; only
    # test suites lower the cost, through the ARGON2_TIME_COST / ARGON2_MEMORY_KIB config keys,
    # which are deliberately not read from the environment.
    if has_app_context():
        config = current_app.config
        return _hasher_for(config.get("ARGON2_TIME_COST"), config.get("ARGON2_MEMORY_KIB"))
    return _hasher_for(None, None)


def normalise(password: str) -> str:
    """Return the NFKC form, so the same password typed on different keyboards matches."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher()[0].hash(normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, burn the same time and answer False."""
    hasher, dummy_hash = _hasher()
    try:
        return hasher.verify(password_hash or dummy_hash, normalise(password)) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher()[0].check_needs_rehash(password_hash)


def password_problem(password: str, user_inputs: list[str]) -> str | None:
    """Return why a new password is refused, or None when it is acceptable."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words work well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    inputs = [part for value in user_inputs for part in _input_parts(value)]
    # Imported here for start-up cost: its word lists are large, and a worker that only serves
    # pages to people already signed in never needs them.
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:_ZXCVBN_LIMIT], user_inputs=inputs)
    if result["score"] < _MIN_SCORE:
        feedback = result.get("feedback") or {}
        hint = feedback.get("warning") or ""
        suggestion = " ".join(feedback.get("suggestions") or [])
        detail = " ".join(s for s in (hint, suggestion) if s)
        return (
            "This password is too easy to guess"
            + (f": {detail}" if detail else ".")
            + " Try a longer phrase of unrelated words."
        ).replace("..", ".")
    return None


def _input_parts(value: str) -> list[str]:
    """Split an email or name into the pieces a guesser would try."""
    if not value:
        return []
    parts = [value]
    for sep in ("@", ".", " ", "_", "-", "+"):
        parts = [p for chunk in parts for p in chunk.split(sep)]
    return [value, *[p for p in parts if len(p) >= 3]]
