"""Password hashing (argon2) and the strength rules for new passwords."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn refuses longer input; the first 72 characters decide the score.
_ZXCVBN_LIMIT = 72
_MIN_SCORE = 3

_hasher = PasswordHasher()
# Verifying against this keeps unknown-email logins as slow as known ones.
_DUMMY_HASH = _hasher.hash("careteam-timing-equaliser")


def normalise(password: str) -> str:
    """Return the NFKC form, so the same password typed on different keyboards matches."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, burn the same time and answer False."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, normalise(password)) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, user_inputs: list[str]) -> str | None:
    """Return why a new password is refused, or None when it is acceptable."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words work well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    inputs = [part for value in user_inputs for part in _input_parts(value)]
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
