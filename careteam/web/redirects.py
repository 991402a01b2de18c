"""Redirect targets taken from the request (``next=``) are only ever paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, fallback: str) -> str:
    """Return ``target`` if it is a local absolute path, else ``fallback``.

    Refuses scheme-relative (``//host``), absolute URLs, backslash tricks that browsers read
    as ``//``, control characters and anything that is not a plain path.
    """
    if not target:
        return fallback
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or "\\" in target:
        return fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
